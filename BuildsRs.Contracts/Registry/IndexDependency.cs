using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Registry;

/// <summary>A dependency as an index line lists it. <see cref="Package"/> is set when the dependency is renamed.</summary>
public sealed record IndexDependency
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("req")] public required string Req { get; init; }
    [JsonPropertyName("features")] public IReadOnlyList<string> Features { get; init; } = [];
    [JsonPropertyName("optional")] public bool Optional { get; init; }
    [JsonPropertyName("default_features")] public bool DefaultFeatures { get; init; } = true;
    [JsonPropertyName("target")] public string? Target { get; init; }

    /// <summary><c>normal</c>, <c>build</c> or <c>dev</c>; absent means normal.</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    [JsonPropertyName("registry")] public string? Registry { get; init; }
    [JsonPropertyName("package")] public string? Package { get; init; }
}
