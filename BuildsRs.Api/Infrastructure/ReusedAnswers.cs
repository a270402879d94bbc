using System.Collections.Concurrent;
using BuildsRs.Contracts;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Answers computed in the Api (not whole responses) kept for their lifetime (<see cref="PublicCaching.LifetimeOf"/>),
/// or until the crate they are about changes (<see cref="CrateChangeListener"/>).
/// </summary>
internal sealed class ReusedAnswers(IMemoryCache cache, IOptions<PublicCaching> caching) : IDisposable
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> crates = new();
    private CancellationTokenSource everything = new();

    /// <param name="crate">The crate the answer depends on; null for an answer no change can make wrong.</param>
    public async Task<T> GetOrAddAsync<T>(string? crate, object key, Func<Task<T>> create)
    {
        if (cache.TryGetValue(key, out T? known))
        {
            return known!;
        }
        // Taken before the database is read: a change committed while it is read expires the answer as it is stored.
        var expiry = new List<CancellationToken> { everything.Token };
        if (crate is not null)
        {
            expiry.Add(crates.GetOrAdd(CrateName.Normalize(crate), _ => new CancellationTokenSource()).Token);
        }
        var value = await create();
        var lifetime = caching.Value.LifetimeOf(crate);
        if (lifetime > TimeSpan.Zero)
        {
            var options = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 };
            foreach (var token in expiry)
            {
                options.AddExpirationToken(new CancellationChangeToken(token));
            }
            cache.Set(key, value, options);
        }
        return value;
    }

    public void Evict(IEnumerable<string> normalizedCrates)
    {
        foreach (var crate in normalizedCrates)
        {
            if (crates.TryRemove(crate, out var source))
            {
                source.Cancel();
            }
        }
    }

    public void EvictAll()
    {
        Interlocked.Exchange(ref everything, new CancellationTokenSource()).Cancel();
        foreach (var crate in crates.Keys)
        {
            Evict([crate]);
        }
    }

    // Sources that were cancelled are left to the collector: entries still being stored may register on their tokens.
    public void Dispose() => everything.Dispose();
}
