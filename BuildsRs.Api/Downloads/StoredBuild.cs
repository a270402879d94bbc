namespace BuildsRs.Api.Downloads;

/// <summary>The artifact a download address stands for.</summary>
internal sealed record StoredBuild(long ArtifactId, string Crate, string Version, string StorageKey, string FileName, string Sha256, long Size);
