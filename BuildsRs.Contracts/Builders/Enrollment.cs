using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// <c>POST /api/v1/builders/enroll</c> with <c>Authorization: Bearer {enrollment token}</c>: registers a builder's
/// public key (SubjectPublicKeyInfo, DER, base64). Enrolling the same key again only adds the targets it now offers.
/// </summary>
public sealed record EnrollRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("public_key")] string PublicKey,
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets);

public sealed record EnrollResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("enabled")] bool Enabled);
