using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>What a crate's author asks for in <c>[package.metadata.buildsrs]</c>; all optional.</summary>
public sealed record BuildSettings(
    [property: JsonPropertyName("targets")] IReadOnlyList<string>? Targets,
    [property: JsonPropertyName("features")] IReadOnlyList<string>? Features,
    [property: JsonPropertyName("no-default-features")] bool? NoDefaultFeatures,
    [property: JsonPropertyName("bins")] IReadOnlyList<string>? Bins);
