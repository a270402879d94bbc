using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// A message of the builder protocol: one JSON text frame on the WebSocket at <c>/api/v1/builders/connect</c>,
/// tagged by <c>type</c>. See docs/builder-protocol.md.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Challenge), "challenge")]
[JsonDerivedType(typeof(ChallengeResponse), "challenge-response")]
[JsonDerivedType(typeof(Welcome), "welcome")]
[JsonDerivedType(typeof(Refused), "refused")]
[JsonDerivedType(typeof(Heartbeat), "heartbeat")]
public abstract record BuilderMessage;

/// <summary>Builder → Api, first: who it is (the SHA-256 of its public key) and what it can build.</summary>
public sealed record Hello(
    [property: JsonPropertyName("protocol_version")] int ProtocolVersion,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("builder_version")] string BuilderVersion,
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets,
    [property: JsonPropertyName("capacity")] int Capacity) : BuilderMessage;

/// <summary>Api → builder: a fresh random nonce to sign, and the id of this connection.</summary>
public sealed record Challenge(
    [property: JsonPropertyName("connection_id")] string ConnectionId,
    [property: JsonPropertyName("nonce")] string Nonce) : BuilderMessage;

/// <summary>Builder → Api: the signature over <see cref="BuilderSignature.Payload"/>, base64.</summary>
public sealed record ChallengeResponse([property: JsonPropertyName("signature")] string Signature) : BuilderMessage;

/// <summary>Api → builder: authenticated, under this name.</summary>
public sealed record Welcome([property: JsonPropertyName("builder_name")] string BuilderName) : BuilderMessage;

/// <summary>Api → builder, then the Api closes the connection: why the builder is not accepted.</summary>
public sealed record Refused([property: JsonPropertyName("reason")] string Reason) : BuilderMessage;

/// <summary>Builder → Api, every few seconds: still here.</summary>
public sealed record Heartbeat : BuilderMessage;

[JsonSerializable(typeof(BuilderMessage))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
public sealed partial class BuilderJsonContext : JsonSerializerContext;
