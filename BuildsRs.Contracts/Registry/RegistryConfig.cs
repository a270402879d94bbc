using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Registry;

/// <summary>
/// A registry's <c>config.json</c>: where <c>.crate</c> files are downloaded from (<see cref="Dl"/>, with the markers
/// <c>{crate}</c>, <c>{version}</c>, <c>{prefix}</c>, <c>{lowerprefix}</c>, <c>{sha256-checksum}</c>) and its web API.
/// </summary>
public sealed record RegistryConfig
{
    [JsonPropertyName("dl")] public required string Dl { get; init; }
    [JsonPropertyName("api")] public string? Api { get; init; }

    /// <summary>The download URL of one version, with cargo's rule: no marker means <c>{dl}/{crate}/{version}/download</c>.</summary>
    public string DownloadUrl(string crate, string version, string checksum)
    {
        string[] markers = ["{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"];
        if (!markers.Any(Dl.Contains))
        {
            return $"{Dl.TrimEnd('/')}/{crate}/{version}/download";
        }
        var prefix = IndexPath.Prefix(crate);
        return Dl.Replace("{crate}", crate, StringComparison.Ordinal)
            .Replace("{version}", version, StringComparison.Ordinal)
            .Replace("{prefix}", prefix, StringComparison.Ordinal)
            .Replace("{lowerprefix}", prefix.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace("{sha256-checksum}", checksum, StringComparison.Ordinal);
    }
}
