using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Tomlyn;
using Tomlyn.Model;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The fetch phase may reach the registry and nothing else. Cargo only contacts the sources a manifest or a lockfile
/// names, so a manifest that names any other (a git repository, another registry's index, a path, or a
/// <c>[patch]</c> / <c>[replace]</c> redirect, in any dependency table, the workspace's included) is refused before
/// cargo runs, and so is a lockfile whose packages come from anywhere but the registry: the crate's own before the
/// fetch, the resolved one after it. <c>cargo package</c> never writes such manifests; only a hand-made <c>.crate</c>
/// has them.
/// </summary>
public static class ManifestSources
{
    private static readonly string[] DependencyTables = ["dependencies", "build-dependencies", "build_dependencies", "dev-dependencies", "dev_dependencies"];
    private static readonly string[] ForeignSources = ["git", "path", "registry-index"];
    private static readonly string[] Redirects = ["patch", "replace"];

    /// <summary>Throws a <see cref="JobFailedException"/> (the crate's own fault) naming what points elsewhere.</summary>
    public static void Check(string manifestPath)
    {
        TomlTable manifest;
        try
        {
            manifest = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(manifestPath)) ?? [];
        }
        catch (TomlException ex)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"Cargo.toml is not valid TOML: {ex.Message}");
        }
        foreach (var redirect in Redirects.Where(manifest.ContainsKey))
        {
            throw Refused($"Cargo.toml has a [{redirect}] section");
        }
        var tables = DependencyTables.Select(name => (manifest.TryGetValue(name, out var table) ? table : null, name));
        if (manifest.TryGetValue("workspace", out var workspace) && workspace is TomlTable members)
        {
            foreach (var redirect in Redirects.Where(members.ContainsKey))
            {
                throw Refused($"Cargo.toml has a [workspace.{redirect}] section");
            }
            tables = tables.Append((members.TryGetValue("dependencies", out var shared) ? shared : null, "workspace.dependencies"));
        }
        if (manifest.TryGetValue("target", out var targets) && targets is TomlTable perTarget)
        {
            tables = tables.Concat(perTarget.SelectMany(target => DependencyTables.Select(name =>
                (target.Value is TomlTable forTarget && forTarget.TryGetValue(name, out var table) ? table : null, $"target.{target.Key}.{name}"))));
        }
        foreach (var (table, where) in tables)
        {
            if (table is not TomlTable dependencies)
            {
                continue;
            }
            foreach (var (name, spec) in dependencies)
            {
                if (spec is TomlTable details && ForeignSources.FirstOrDefault(details.ContainsKey) is { } source)
                {
                    throw Refused($"dependency `{name}` in [{where}] comes from a {source}");
                }
            }
        }
    }

    /// <summary>
    /// Every package of a lockfile (<paramref name="lockfile"/>'s text, named <paramref name="which"/> in a refusal)
    /// comes from the registry, apart from the crate itself. Cargo records packages of the registry that replaces
    /// crates.io under crates.io's own source id, so that is the one source allowed.
    /// </summary>
    public static void CheckLockfile(string lockfile, string which, string crate, string version)
    {
        TomlTable locked;
        try
        {
            locked = TomlSerializer.Deserialize<TomlTable>(lockfile) ?? [];
        }
        catch (TomlException ex)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"{which} is not valid TOML: {ex.Message}");
        }
        var packages = locked.TryGetValue("package", out var list) && list is TomlTableArray array ? array : [];
        foreach (var package in packages)
        {
            var name = package.TryGetValue("name", out var n) ? n as string : null;
            var source = package.TryGetValue("source", out var s) ? s as string : null;
            if (source is null)
            {
                if (name != crate || (package.TryGetValue("version", out var v) ? v as string : null) != version)
                {
                    throw Refused($"{which} has the package `{name}` from a path");
                }
            }
            else if (source != RegistrySource)
            {
                throw Refused($"{which} has the package `{name}` from {source}");
            }
        }
    }

    /// <summary>The source id cargo records for crates.io, whichever registry replaces it.</summary>
    public const string RegistrySource = "registry+https://github.com/rust-lang/crates.io-index";

    private static JobFailedException Refused(string what) =>
        new(JobOutcome.Rejected, $"{what}: a crate's dependencies must come from the registry it was published to");
}
