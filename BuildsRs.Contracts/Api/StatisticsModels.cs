namespace BuildsRs.Contracts.Api;

public sealed record Statistics(
    IReadOnlyList<DailyBuilds> BuildsPerDay, IReadOnlyList<QueueSample> QueueLength,
    IReadOnlyList<DurationBucket> BuildDurations, IReadOnlyList<DailyDownloads> DownloadsPerDay,
    IReadOnlyList<TargetFigures>? Targets = null);

/// <summary>One target over the whole range: every enabled target, and any other that has builds in it.</summary>
public sealed record TargetFigures(string Target, bool Enabled, long Succeeded, long Failed, long Downloads);

/// <summary>Finished binary builds of one day, by outcome class.</summary>
public sealed record DailyBuilds(DateOnly Day, IReadOnlyDictionary<string, long> Outcomes);

/// <summary>How many jobs waited at the start of a sampling interval (5 minutes).</summary>
public sealed record QueueSample(DateTimeOffset At, long Queued);

/// <summary>Successful binary builds that took less than <see cref="UpToSeconds"/> (and at least the bucket before's);
/// the last bucket has no upper bound (null).</summary>
public sealed record DurationBucket(double? UpToSeconds, long Builds);

public sealed record DailyDownloads(DateOnly Day, long Downloads);
