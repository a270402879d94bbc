using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Contracts.Api;

/// <summary>A version: what the index says, what the metadata job found, and every job and artifact per target.</summary>
public sealed record VersionDetails(
    string Crate, string Version, string Checksum, bool Yanked, DateTimeOffset? PublishedAt,
    IReadOnlyList<string>? BinaryTargets, bool LibraryOnly, IReadOnlyList<JobSummary> Jobs, IReadOnlyList<TargetBuild> Targets);

/// <summary>A version's builds for one target: its newest state, queue position while queued, and its artifacts.</summary>
public sealed record TargetBuild(string Target, JobState State, JobOutcome? Outcome, long? QueuePosition, IReadOnlyList<ArtifactInfo> Artifacts);

/// <summary>
/// A stored archive. <see cref="Machine"/>, <see cref="Linkage"/> and <see cref="GlibcFloor"/> say where its binaries
/// run (the machine, static or dynamic, the oldest glibc they run on), and for Windows <see cref="Subsystem"/> and the
/// <see cref="Dlls"/> they import; null when not recorded. What vouches for it:
/// its signature, provenance and lockfile (null when the build recorded none), and whether a second builder got the
/// same bytes (<see cref="Verification"/>; the builders that did, when it was last checked, and what differed).
/// </summary>
public sealed record ArtifactInfo(long JobId, string File, long Size, string Sha256, string DownloadUrl, long Downloads, DateTimeOffset CreatedAt,
    string? Machine, string? Linkage, string? GlibcFloor,
    string? SignatureUrl = null, string? ProvenanceUrl = null, string? LockfileUrl = null,
    VerificationState Verification = VerificationState.Unchecked, IReadOnlyList<string>? ReproducedBy = null, DateTimeOffset? VerifiedAt = null,
    IReadOnlyList<string>? Differences = null, string? Subsystem = null, IReadOnlyList<string>? Dlls = null);
