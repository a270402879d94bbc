using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Tomlyn;
using Tomlyn.Model;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The fetch phase may reach the registry and nothing else. Cargo only contacts the sources a manifest names, so a
/// manifest that names any other (a git repository, another registry's index, a path, or a <c>[patch]</c> /
/// <c>[replace]</c> redirect) is refused before cargo runs. <c>cargo package</c> never writes such manifests; only a
/// hand-made <c>.crate</c> has them.
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

    private static JobFailedException Refused(string what) =>
        new(JobOutcome.Rejected, $"{what}: a crate's dependencies must come from the registry it was published to");
}
