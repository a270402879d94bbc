using System.Text.Json.Serialization;

namespace BuildsRs.LocalRegistry.Apis;

/// <summary>The JSON part of cargo's publish request.</summary>
public sealed record PublishMetadata(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("vers")] string? Vers,
    [property: JsonPropertyName("deps")] List<PublishDependency>? Deps,
    [property: JsonPropertyName("features")] Dictionary<string, List<string>>? Features,
    [property: JsonPropertyName("links")] string? Links,
    [property: JsonPropertyName("rust_version")] string? RustVersion);

public sealed record PublishDependency(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version_req")] string VersionReq,
    [property: JsonPropertyName("features")] List<string> Features,
    [property: JsonPropertyName("optional")] bool Optional,
    [property: JsonPropertyName("default_features")] bool DefaultFeatures,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("registry")] string? Registry,
    [property: JsonPropertyName("explicit_name_in_toml")] string? ExplicitNameInToml);

/// <summary>cargo's error body: it prints each detail.</summary>
public sealed record CargoErrors([property: JsonPropertyName("errors")] IReadOnlyList<CargoError> Errors)
{
    public static CargoErrors Of(string detail) => new([new CargoError(detail)]);
}

public sealed record CargoError([property: JsonPropertyName("detail")] string Detail);

public sealed record PublishWarnings(
    [property: JsonPropertyName("invalid_categories")] IReadOnlyList<string> InvalidCategories,
    [property: JsonPropertyName("invalid_badges")] IReadOnlyList<string> InvalidBadges,
    [property: JsonPropertyName("other")] IReadOnlyList<string> Other);

public sealed record PublishResponse([property: JsonPropertyName("warnings")] PublishWarnings Warnings);

public sealed record OkResponse([property: JsonPropertyName("ok")] bool Ok);

[JsonSerializable(typeof(PublishMetadata))]
[JsonSerializable(typeof(CargoErrors))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(OkResponse))]
public sealed partial class PublishJsonContext : JsonSerializerContext;
