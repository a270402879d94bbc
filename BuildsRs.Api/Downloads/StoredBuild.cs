namespace BuildsRs.Api.Downloads;

/// <summary>The artifact a download address stands for, and where it runs (null where not recorded).</summary>
internal sealed record StoredBuild(long ArtifactId, string Crate, string Version, string StorageKey, string FileName, string Sha256, long Size,
    string? Machine, string? Linkage, string? GlibcFloor);
