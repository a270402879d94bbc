using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// How long public answers may be reused. Crate and version pages, search results, badges, feeds and the artifact
/// behind a download address change only when a build finishes or the index changes, while installers and CI
/// pipelines ask for the same few addresses all day: reuse takes most of the load off the database. A change evicts
/// the answers it affects at once (<see cref="CrateChangeListener"/>); the duration bounds how stale an answer can be
/// while this instance has lost the database's notifications.
/// </summary>
public sealed class PublicCaching
{
    public const string SectionName = "Caching";
    public const string PolicyName = "public";

    /// <summary>Zero turns reuse off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most download addresses whose artifact is remembered at once.</summary>
    [Range(100, 10_000_000)]
    public int MaxDownloadEntries { get; set; } = 100_000;
}
