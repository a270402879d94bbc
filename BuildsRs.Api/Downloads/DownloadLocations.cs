using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Downloads;

/// <summary>
/// Where clients fetch an artifact from. A presigned URL stays valid for minutes, so the same one is handed out for
/// <see cref="PublicCaching.Duration"/> instead of signing again for every download.
/// </summary>
internal sealed class DownloadLocations(IArtifactStore store, IMemoryCache cache, IOptions<PublicCaching> caching)
{
    public async Task<ArtifactLocation> LocateAsync(StoredBuild build)
    {
        var key = (nameof(DownloadLocations), build.StorageKey);
        if (cache.TryGetValue(key, out ArtifactLocation? known) && known is not null)
        {
            return known;
        }
        var location = await store.LocateAsync(build.StorageKey, build.FileName);
        if (caching.Value.Duration > TimeSpan.Zero)
        {
            cache.Set(key, location, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = caching.Value.Duration, Size = 1 });
        }
        return location;
    }
}
