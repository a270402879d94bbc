using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// How long public answers may be reused. Crate and version pages, search results, badges, feeds and the artifact
/// behind a download address change only when a build finishes or the index changes, while installers and CI
/// pipelines ask for the same few addresses all day: reuse takes most of the load off the database.
/// </summary>
public sealed class PublicCaching
{
    public const string SectionName = "Caching";
    public const string PolicyName = "public";

    /// <summary>Answers no crate change announces: listings, statistics, presigned download URLs. Zero turns their
    /// reuse off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers about one crate. Every change of the crate evicts them at once on every instance
    /// (<see cref="CrateChangeListener"/>), so this only bounds how stale they get while an instance has lost the
    /// database's notifications. Zero turns their reuse off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CrateDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most download addresses whose artifact is remembered at once.</summary>
    [Range(100, 10_000_000)]
    public int MaxDownloadEntries { get; set; } = 100_000;

    /// <summary>How long one answer lives: its kind's duration, shortened by up to a fifth at random, so that answers
    /// computed together (after a start or an eviction of everything) do not all expire, and wait for the database,
    /// together.</summary>
    /// <param name="crate">The crate the answer is about; null for any other answer.</param>
    public TimeSpan LifetimeOf(string? crate) => (crate is null ? Duration : CrateDuration) * (1 - Random.Shared.NextDouble() / 5);
}
