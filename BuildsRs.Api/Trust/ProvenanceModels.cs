using System.Text.Json.Serialization;

namespace BuildsRs.Api.Trust;

// An in-toto Statement (v1) with a SLSA Provenance (v1) predicate, in a DSSE envelope: the shapes those specifications
// define, with their own field names.

public sealed record InTotoStatement(
    [property: JsonPropertyName("_type")] string Type,
    [property: JsonPropertyName("subject")] IReadOnlyList<ResourceDescriptor> Subject,
    [property: JsonPropertyName("predicateType")] string PredicateType,
    [property: JsonPropertyName("predicate")] SlsaProvenance Predicate);

public sealed record ResourceDescriptor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("digest")] IReadOnlyDictionary<string, string> Digest,
    [property: JsonPropertyName("uri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Uri = null);

public sealed record SlsaProvenance(
    [property: JsonPropertyName("buildDefinition")] BuildDefinition BuildDefinition,
    [property: JsonPropertyName("runDetails")] RunDetails RunDetails);

public sealed record BuildDefinition(
    [property: JsonPropertyName("buildType")] string BuildType,
    [property: JsonPropertyName("externalParameters")] ExternalParameters ExternalParameters,
    [property: JsonPropertyName("internalParameters")] InternalParameters InternalParameters,
    [property: JsonPropertyName("resolvedDependencies")] IReadOnlyList<ResourceDescriptor> ResolvedDependencies);

/// <summary>What the crate's author and the registry decide: the crate, the target and the author's build settings.</summary>
public sealed record ExternalParameters(
    [property: JsonPropertyName("crate")] string Crate,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("features")] IReadOnlyList<string> Features,
    [property: JsonPropertyName("no_default_features")] bool NoDefaultFeatures,
    [property: JsonPropertyName("bins")] IReadOnlyList<string> Bins);

/// <summary>What the service decides: the toolchain and the time every packed file carries.</summary>
public sealed record InternalParameters(
    [property: JsonPropertyName("toolchain")] string Toolchain,
    [property: JsonPropertyName("source_date_epoch")] long SourceDateEpoch);

public sealed record RunDetails(
    [property: JsonPropertyName("builder")] ProvenanceBuilder Builder,
    [property: JsonPropertyName("metadata")] BuildMetadata Metadata);

public sealed record ProvenanceBuilder([property: JsonPropertyName("id")] string Id);

public sealed record BuildMetadata(
    [property: JsonPropertyName("invocationId")] string InvocationId,
    [property: JsonPropertyName("startedOn")] DateTimeOffset StartedOn,
    [property: JsonPropertyName("finishedOn")] DateTimeOffset FinishedOn);

public sealed record DsseEnvelope(
    [property: JsonPropertyName("payloadType")] string PayloadType,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signatures")] IReadOnlyList<DsseSignature> Signatures);

public sealed record DsseSignature(
    [property: JsonPropertyName("keyid")] string KeyId,
    [property: JsonPropertyName("sig")] string Sig);

[JsonSerializable(typeof(InTotoStatement))]
[JsonSerializable(typeof(DsseEnvelope))]
public sealed partial class ProvenanceJsonContext : JsonSerializerContext;
