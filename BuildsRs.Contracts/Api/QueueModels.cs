using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Contracts.Api;

public sealed record QueueEntry(
    long? Position, long JobId, string Crate, string Version, JobKind Kind, string? Target, int Priority, JobState State,
    string? Builder, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt);

/// <summary>The queue: whether claims are locked, what runs (no position), and a page of what waits (positions from 1).</summary>
public sealed record QueueView(bool Locked, long QueuedCount, IReadOnlyList<QueueEntry> Running, Page<QueueEntry> Queued);
