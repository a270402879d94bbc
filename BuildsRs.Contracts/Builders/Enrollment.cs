using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// <c>POST /api/v1/builders/enroll</c> with <c>Authorization: Bearer {host's enrollment token}</c>: registers a
/// builder's public key (SubjectPublicKeyInfo, DER, base64) for the host the token belongs to. Enrolling the same key
/// again only adds the targets it now offers. An operator enrolling a key with the admin API names its
/// <see cref="Host"/>.
/// </summary>
public sealed record EnrollRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("public_key")] string PublicKey,
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets,
    [property: JsonPropertyName("host")] string? Host = null);

public sealed record EnrollResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("host")] string? Host = null);

/// <summary><c>POST /api/v1/admin/hosts</c>: adds a builder host by name.</summary>
public sealed record NewBuilderHost([property: JsonPropertyName("name")] string Name);

/// <summary>A builder host: its enrollment token only in the answer that created it (the Api keeps its hash).</summary>
public sealed record BuilderHostState(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("builders")] int Builders,
    [property: JsonPropertyName("enrollment_token")] string? EnrollmentToken = null);
