using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Registry;

/// <summary>
/// One line of a Cargo registry index file: one published version, in cargo's own format
/// (https://doc.rust-lang.org/cargo/reference/registry-index.html).
/// </summary>
public sealed record IndexLine
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("vers")] public string? Vers { get; init; }
    [JsonPropertyName("deps")] public IReadOnlyList<IndexDependency>? Deps { get; init; }
    [JsonPropertyName("cksum")] public string? Cksum { get; init; }
    [JsonPropertyName("features")] public Dictionary<string, List<string>>? Features { get; init; }

    /// <summary>Features using the <c>dep:</c> and <c>?/</c> syntax, kept apart so that older cargo ignores them.</summary>
    [JsonPropertyName("features2")] public Dictionary<string, List<string>>? Features2 { get; init; }

    [JsonPropertyName("yanked")] public bool? Yanked { get; init; }
    [JsonPropertyName("links")] public string? Links { get; init; }

    /// <summary>Index format version: absent or 1, or 2 when <see cref="Features2"/> is present.</summary>
    [JsonPropertyName("v")] public int? V { get; init; }

    [JsonPropertyName("rust_version")] public string? RustVersion { get; init; }
    [JsonPropertyName("pubtime"), JsonConverter(typeof(PubTimeConverter))] public DateTimeOffset? PubTime { get; init; }
}
