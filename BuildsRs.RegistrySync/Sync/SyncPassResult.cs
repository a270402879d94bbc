using BuildsRs.Data.Bulk;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>What a pass read and what it changed. <see cref="Mode"/>: <c>full</c>, <c>incremental</c>, <c>sparse</c> or <c>none</c>.</summary>
public sealed record SyncPassResult(string Mode, string? Head, int Files, int Versions, int MalformedLines, IndexImportResult Changes);
