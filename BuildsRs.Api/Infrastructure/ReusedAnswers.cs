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
/// <remarks>A crate's answers expire with its share of <see cref="Shares"/> change tokens, chosen by its name's hash, not
/// with a token of its own: anyone can ask for any name, existing or not, and a token per name asked for would grow
/// without bound. A change to one crate also expires the answers of the few crates that share its token.
/// <para>Not HybridCache, although it also reuses answers and evicts by tag: its entries are stamped when their factory
/// returns, and a tag removed while a factory reads the database does not expire what that factory then stores (its own
/// source calls the race rare enough to accept). Here the change token is taken before the read, so an answer read
/// across a change is never kept; and with no second level, HybridCache would copy each mutable answer on every read.
/// </para></remarks>
internal sealed class ReusedAnswers(IMemoryCache cache, IOptions<PublicCaching> caching) : IDisposable
{
    public const int Shares = 4096;

    private readonly ConcurrentDictionary<int, CancellationTokenSource> crates = new();
    private CancellationTokenSource everything = new();

    /// <summary>Change tokens held now: at most <see cref="Shares"/>.</summary>
    public int TokensHeld => crates.Count;

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
            expiry.Add(crates.GetOrAdd(ShareOf(CrateName.Normalize(crate)), _ => new CancellationTokenSource()).Token);
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
            Expire(ShareOf(crate));
        }
    }

    public void EvictAll()
    {
        Interlocked.Exchange(ref everything, new CancellationTokenSource()).Cancel();
        foreach (var share in crates.Keys)
        {
            Expire(share);
        }
    }

    private void Expire(int share)
    {
        if (crates.TryRemove(share, out var source))
        {
            source.Cancel();
        }
    }

    // Randomised per process, which is all it needs: a name keeps its share for as long as this instance runs.
    private static int ShareOf(string normalizedCrate) => (int)((uint)StringComparer.Ordinal.GetHashCode(normalizedCrate) % Shares);

    // Sources that were cancelled are left to the collector: entries still being stored may register on their tokens.
    public void Dispose() => everything.Dispose();
}
