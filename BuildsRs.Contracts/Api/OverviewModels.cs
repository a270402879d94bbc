using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Contracts.Api;

/// <summary>The service at a glance: what the home page shows.</summary>
public sealed record Overview(
    long Crates, long BinariesBuilt, long BuildsToday, long Queued, long Running, IReadOnlyList<FinishedBuild> RecentBuilds);

/// <summary>A binary build that ended, successfully or not.</summary>
public sealed record FinishedBuild(
    long JobId, string Crate, string Version, string Target, JobOutcome Outcome, double? DurationSeconds, DateTimeOffset FinishedAt);
