using System.Text.Json.Serialization;
using BuildsRs.Contracts.Jobs;

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
[JsonDerivedType(typeof(JobRequest), "job-request")]
[JsonDerivedType(typeof(JobAssigned), "job-assigned")]
[JsonDerivedType(typeof(NoJob), "no-job")]
[JsonDerivedType(typeof(JobFinished), "job-finished")]
[JsonDerivedType(typeof(JobLog), "job-log")]
[JsonDerivedType(typeof(JobResultDiscarded), "job-result-discarded")]
[JsonDerivedType(typeof(JobResultRecorded), "job-result-recorded")]
public abstract record BuilderMessage;

/// <summary>Builder → Api, first: who it is (the SHA-256 of its public key), what it can build, and the most jobs it
/// holds at once (<c>capacity</c>, 1 to 64: its builds and the metadata jobs beside them); the Api hands out no more.</summary>
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

/// <summary>
/// Builder → Api, every few seconds: still here, working on these jobs (including one whose result it has not sent
/// yet). Extends the leases of exactly those jobs: a job handed out on a connection that broke before the builder
/// received it is not named, so its lease runs out and it goes back to the queue.
/// </summary>
public sealed record Heartbeat([property: JsonPropertyName("jobs")] IReadOnlyList<long> Jobs) : BuilderMessage;

/// <summary>Builder → Api: it has room for <paramref name="Count"/> jobs (1 to 32) of these kinds (<c>metadata</c>,
/// <c>binary</c>, <c>verify</c>) and of the targets it announced. The Api answers with a <see cref="JobAssigned"/> per
/// job it hands out, followed by a <see cref="NoJob"/> when that is fewer than asked for, each carrying
/// <paramref name="RequestId"/>: a builder with several requests out knows which one an answer is for.</summary>
public sealed record JobRequest(
    [property: JsonPropertyName("kinds")] IReadOnlyList<JobKind> Kinds,
    [property: JsonPropertyName("count")] int Count = 1,
    [property: JsonPropertyName("request_id")] long RequestId = 0) : BuilderMessage;

/// <summary>Api → builder: nothing (more) for request <paramref name="RequestId"/> now; ask again after the given delay.</summary>
public sealed record NoJob(
    [property: JsonPropertyName("retry_after_ms")] int RetryAfterMs,
    [property: JsonPropertyName("request_id")] long RequestId = 0) : BuilderMessage;

/// <summary>
/// Api → builder: a job, leased to this builder until <see cref="LeaseExpiresAt"/> (heartbeats extend it). The
/// <c>.crate</c> at <see cref="DownloadUrl"/> must have the SHA-256 <see cref="Checksum"/>. A binary job carries the
/// author's settings and the token that its artifact uploads must present. <see cref="TraceParent"/> is the W3C trace
/// context of the claim: the builder's spans for the job are its children, so one trace follows the build.
/// A build uses <see cref="Lockfile"/> when the version was built before (its dependencies cannot drift), and
/// <see cref="SourceDateEpoch"/> as the time of everything it packs. A verify job names the <see cref="Image"/> (its
/// ID) that made the artifact: the rebuild runs in that very image. <see cref="RequestId"/> is the
/// <see cref="JobRequest"/>'s it answers.
/// </summary>
public sealed record JobAssigned(
    [property: JsonPropertyName("job_id")] long JobId,
    [property: JsonPropertyName("kind")] JobKind Kind,
    [property: JsonPropertyName("crate")] string Crate,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("download_url")] string DownloadUrl,
    [property: JsonPropertyName("checksum")] string Checksum,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("lease_expires_at")] DateTimeOffset LeaseExpiresAt,
    [property: JsonPropertyName("settings")] BuildSettings? Settings,
    [property: JsonPropertyName("upload_token")] string UploadToken,
    [property: JsonPropertyName("trace_parent")] string? TraceParent = null,
    [property: JsonPropertyName("lockfile")] string? Lockfile = null,
    [property: JsonPropertyName("source_date_epoch")] long SourceDateEpoch = 0,
    [property: JsonPropertyName("image")] string? Image = null,
    [property: JsonPropertyName("request_id")] long RequestId = 0) : BuilderMessage;

/// <summary>
/// Builder → Api: how a job ended. A metadata job that succeeded names the crate's binary targets and the author's
/// <c>[package.metadata.buildsrs]</c> settings. A binary or verify job that succeeded says where its binaries run and
/// what it was built from and into (<see cref="Build"/>).
/// </summary>
public sealed record JobFinished(
    [property: JsonPropertyName("job_id")] long JobId,
    [property: JsonPropertyName("outcome")] JobOutcome Outcome,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("binaries")] IReadOnlyList<string>? Binaries,
    [property: JsonPropertyName("settings")] BuildSettings? Settings,
    [property: JsonPropertyName("platform")] BinaryPlatform? Platform = null,
    [property: JsonPropertyName("build")] BuildRecord? Build = null) : BuilderMessage;

/// <summary>Builder → Api, while a job runs: a piece of its output (<see cref="Stage"/>: <c>fetch</c>, <c>build</c>),
/// gathered by the builder into chunks of many lines. The Api keeps at most <see cref="MaxCharacters"/> per job and
/// marks where it cut.</summary>
public sealed record JobLog(
    [property: JsonPropertyName("job_id")] long JobId,
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("chunk")] string Chunk) : BuilderMessage
{
    public const int MaxCharacters = 1024 * 1024;
    public const string CutMarker = "\n[log cut: more than 1 MiB]\n";
}

/// <summary>Api → builder: that job is not this builder's any more (its lease ran out); the result was dropped.</summary>
public sealed record JobResultDiscarded(
    [property: JsonPropertyName("job_id")] long JobId,
    [property: JsonPropertyName("reason")] string Reason) : BuilderMessage;

/// <summary>
/// Api → builder: the result of that job is recorded. Until this (or <see cref="JobResultDiscarded"/>) arrives, the
/// builder keeps the result and sends it again on its next connection.
/// </summary>
public sealed record JobResultRecorded([property: JsonPropertyName("job_id")] long JobId) : BuilderMessage;

[JsonSerializable(typeof(BuilderMessage))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(NewBuilderHost))]
[JsonSerializable(typeof(BuilderHostState))]
[JsonSerializable(typeof(BuilderHostState[]))]
[JsonSerializable(typeof(BuildSettings))]
public sealed partial class BuilderJsonContext : JsonSerializerContext;
