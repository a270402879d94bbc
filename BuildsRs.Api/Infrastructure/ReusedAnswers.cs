using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Infrastructure;

/// <summary>Answers computed in the Api (not whole responses) kept for <see cref="PublicCaching.Duration"/>.</summary>
internal sealed class ReusedAnswers(IMemoryCache cache, IOptions<PublicCaching> caching)
{
    public async Task<T> GetOrAddAsync<T>(object key, Func<Task<T>> create)
    {
        if (cache.TryGetValue(key, out T? known))
        {
            return known!;
        }
        var value = await create();
        if (caching.Value.Duration > TimeSpan.Zero)
        {
            cache.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = caching.Value.Duration, Size = 1 });
        }
        return value;
    }
}
