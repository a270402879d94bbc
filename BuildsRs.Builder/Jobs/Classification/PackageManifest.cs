using System.Text.Json;
using System.Text.Json.Nodes;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Tomlyn;
using Tomlyn.Model;

namespace BuildsRs.Builder.Jobs.Classification;

/// <summary>A <c>[[bin]]</c> table: its name and path as written (either may be missing).</summary>
public sealed record DeclaredBin(string? Name, string? Path);

/// <summary>What a <c>Cargo.toml</c> says about the package's binaries and the author's <c>[package.metadata.buildsrs]</c>.</summary>
/// <param name="HasOtherTargets">Whether it declares examples, tests or benchmarks.</param>
public sealed record PackageManifest(string Name, string Edition, bool? AutoBins, IReadOnlyList<DeclaredBin>? Bins, bool HasLib, bool HasOtherTargets,
    BuildSettings? Settings)
{
    /// <summary>Deeper nesting than this is no manifest anyone writes, and a parser should not be made to recurse into it.</summary>
    public const int MaxNesting = 64;

    private static readonly string[] OtherTargets = ["example", "test", "bench"];

    public static PackageManifest Parse(string text)
    {
        if (Nesting(text) > MaxNesting)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"Cargo.toml nests arrays or tables deeper than {MaxNesting} levels");
        }
        TomlTable manifest;
        try
        {
            manifest = TomlSerializer.Deserialize<TomlTable>(text) ?? [];
        }
        catch (TomlException ex)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"Cargo.toml is not valid TOML: {ex.Message}");
        }
        var package = (manifest.TryGetValue("package", out var p) ? p : manifest.TryGetValue("project", out var legacy) ? legacy : null) as TomlTable
            ?? throw new JobFailedException(JobOutcome.BuildFailed, "cargo would refuse the manifest: it has no [package]");
        var name = package.TryGetValue("name", out var n) && n is string named ? named
            : throw new JobFailedException(JobOutcome.BuildFailed, "cargo would refuse the manifest: [package] has no name");
        var edition = package.TryGetValue("edition", out var e) && e is string written ? written : "2015";
        bool? autobins = package.TryGetValue("autobins", out var a) && a is bool flag ? flag : null;
        List<DeclaredBin>? bins = manifest.TryGetValue("bin", out var b) && b is TomlTableArray tables
            ? [.. tables.Select(t => new DeclaredBin(t.TryGetValue("name", out var bn) ? bn as string : null, t.TryGetValue("path", out var bp) ? bp as string : null))]
            : null;
        return new PackageManifest(name, edition, autobins, bins, manifest.ContainsKey("lib"), OtherTargets.Any(manifest.ContainsKey), SettingsOf(package));
    }

    /// <summary>The author's settings, read as cargo metadata would give them (<c>[package.metadata.buildsrs]</c>).</summary>
    private static BuildSettings? SettingsOf(TomlTable package)
    {
        if (!package.TryGetValue("metadata", out var m) || m is not TomlTable metadata || !metadata.TryGetValue("buildsrs", out var s) || s is not TomlTable settings)
        {
            return null;
        }
        try
        {
            return ToJson(settings).Deserialize(BuilderJsonContext.Default.BuildSettings);
        }
        catch (JsonException ex)
        {
            throw new JobFailedException(JobOutcome.BuildFailed, $"[package.metadata.buildsrs] is not valid: {ex.Message}");
        }
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        TomlTable table => new JsonObject(table.Select(entry => KeyValuePair.Create(entry.Key, ToJson(entry.Value)))),
        TomlArray array => new JsonArray([.. array.Select(ToJson)]),
        TomlTableArray tables => new JsonArray([.. tables.Select(ToJson)]),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        null => null,
        var other => JsonValue.Create(other.ToString()),
    };

    /// <summary>How deep brackets and braces nest, outside strings and comments.</summary>
    private static int Nesting(string text)
    {
        var (depth, deepest, quote, comment) = (0, 0, '\0', false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (comment)
            {
                comment = c != '\n';
            }
            else if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                comment = true;
            }
            else if (c is '[' or '{')
            {
                deepest = Math.Max(deepest, ++depth);
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
        }
        return deepest;
    }
}
