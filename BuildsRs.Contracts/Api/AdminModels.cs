namespace BuildsRs.Contracts.Api;

public sealed record RebuildRequest(int? Priority);

public sealed record RebuildResponse(string Crate, string? Version, int Priority, int Queued);

/// <summary>What a cancellation did: how many jobs it ended (queued ones, and the one job named even if running).</summary>
public sealed record CancelResponse(string? Crate, long? JobId, int Cancelled);

/// <summary>A target's setting. <see cref="Images"/>: the Docker image IDs known for the target (null leaves them).</summary>
public sealed record TargetSetting(string Triple, bool Enabled, IReadOnlyList<string>? Images = null);

public sealed record QueueLockState(bool Locked, string? Reason);
