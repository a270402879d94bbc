using BuildsRs.Api.Infrastructure;

namespace BuildsRs.Tests.Unit;

/// <summary>How long reused answers live: long for a crate's (its changes evict them), short for listings, and never
/// all expiring in the same moment.</summary>
public sealed class PublicCachingTests
{
    [Fact]
    public void Answers_about_a_crate_live_their_duration_less_up_to_a_fifth_and_others_the_short_one()
    {
        var caching = new PublicCaching { Duration = TimeSpan.FromSeconds(30), CrateDuration = TimeSpan.FromMinutes(10) };

        var crate = Enumerable.Range(0, 1000).Select(_ => caching.LifetimeOf("hexyl")).ToList();
        var listing = Enumerable.Range(0, 1000).Select(_ => caching.LifetimeOf(null)).ToList();

        Assert.All(crate, t => Assert.InRange(t, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(10)));
        Assert.All(listing, t => Assert.InRange(t, TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(30)));
        // Spread out: answers computed in one burst expire over the last fifth of their duration, not at one instant.
        Assert.True(crate.Max() - crate.Min() > TimeSpan.FromMinutes(1.5));
    }

    [Fact]
    public void Zero_turns_reuse_off()
    {
        var caching = new PublicCaching { Duration = TimeSpan.Zero, CrateDuration = TimeSpan.Zero };

        Assert.Equal(TimeSpan.Zero, caching.LifetimeOf("hexyl"));
        Assert.Equal(TimeSpan.Zero, caching.LifetimeOf(null));
    }
}
