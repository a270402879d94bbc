using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Contracts.Api;

/// <summary>A job as lists show it.</summary>
public sealed record JobSummary(
    long Id, JobKind Kind, string? Target, int Attempt, JobState State, JobOutcome? Outcome, double? DurationSeconds, string? Builder,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>A job with its crate, result and where its log is.</summary>
public sealed record JobDetails(
    JobSummary Job, string Crate, string Version, int Priority, long? QueuePosition, int? ExitCode, string? Error,
    string LogUrl, string LogStreamUrl, IReadOnlyList<ArtifactInfo> Artifacts);
