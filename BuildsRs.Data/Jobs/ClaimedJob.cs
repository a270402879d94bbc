using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Data.Jobs;

/// <summary>A job just handed to a builder, with what the builder needs of its version and crate, and the W3C trace
/// context its work continues (the claim's span).</summary>
public sealed record ClaimedJob(
    long Id, JobKind Kind, string? Target, long VersionId, long? ArtifactId, DateTimeOffset LeaseExpiresAt,
    string Crate, string Version, string Checksum, string? BuildSettings, DateTimeOffset? PublishedAt, string? TraceParent);
