namespace BuildsRs.Api.Downloads;

/// <summary>The artifact a download address stands for, where it runs (null where not recorded) and its signature.</summary>
internal sealed record StoredBuild(long ArtifactId, long JobId, string Crate, string Version, string StorageKey, string FileName, string Sha256, long Size,
    string? Machine, string? Linkage, string? GlibcFloor, string? Signature);
