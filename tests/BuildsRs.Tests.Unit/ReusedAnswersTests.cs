using BuildsRs.Api.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Unit;

/// <summary>Answers reused until their crate changes, with memory that does not grow with the names people ask for.</summary>
public sealed class ReusedAnswersTests
{
    [Fact]
    public async Task A_flood_of_unknown_crate_names_holds_a_bounded_number_of_change_tokens()
    {
        using var cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = 1_000 });
        using var answers = new ReusedAnswers(cache, Options.Create(new PublicCaching()));

        for (var i = 0; i < 200_000; i++)
        {
            await answers.GetOrAddAsync($"no-such-crate-{i}", ("crate", i), () => Task.FromResult<string?>(null));
        }

        Assert.InRange(answers.TokensHeld, 1, ReusedAnswers.Shares);
    }

    [Fact]
    public async Task A_change_to_a_crate_expires_its_answers_and_leaves_others_reused()
    {
        using var cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = 1_000 });
        using var answers = new ReusedAnswers(cache, Options.Create(new PublicCaching()));
        var computed = 0;
        Task<int> Compute() => Task.FromResult(Interlocked.Increment(ref computed));
        // Names that do not share a token with "ripgrep" (a share holds about one name in 4096).
        var others = Enumerable.Range(0, 20).Select(i => $"other-{i}").ToList();

        await answers.GetOrAddAsync("ripgrep", "ripgrep", Compute);
        foreach (var other in others)
        {
            await answers.GetOrAddAsync(other, other, Compute);
        }
        answers.Evict(["ripgrep"]);
        var ripgrep = await answers.GetOrAddAsync("ripgrep", "ripgrep", Compute);
        var kept = 0;
        foreach (var other in others)
        {
            kept += await answers.GetOrAddAsync(other, other, Compute) <= 21 ? 1 : 0;
        }

        Assert.Equal(22, ripgrep);
        Assert.InRange(kept, 19, 20);
    }
}
