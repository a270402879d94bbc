using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Storage;

namespace BuildsRs.Api.Downloads;

/// <summary>
/// Where clients fetch an artifact from. A presigned URL stays valid for minutes, so the same one is handed out for
/// <see cref="PublicCaching.Duration"/> instead of signing again for every download.
/// </summary>
internal sealed class DownloadLocations(IArtifactStore store, ReusedAnswers answers)
{
    public Task<ArtifactLocation> LocateAsync(StoredBuild build) =>
        answers.GetOrAddAsync(null, (nameof(DownloadLocations), build.StorageKey), () => store.LocateAsync(build.StorageKey, build.FileName));
}
