namespace BuildsRs.Contracts.Api;

public sealed record RebuildRequest(int? Priority);

public sealed record RebuildResponse(string Crate, string? Version, int Priority, int Queued);

public sealed record TargetSetting(string Triple, bool Enabled);

public sealed record QueueLockState(bool Locked, string? Reason);
