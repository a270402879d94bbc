using System.Diagnostics.CodeAnalysis;
using Semver;

namespace BuildsRs.Contracts;

/// <summary>Crate versions are strict semantic versions, as cargo publishes them.</summary>
public static class VersionNumber
{
    /// <summary>The longest version the database stores.</summary>
    public const int MaxLength = 255;

    public static bool IsValid([NotNullWhen(true)] string? version) =>
        version is { Length: > 0 and <= MaxLength } && SemVersion.TryParse(version, SemVersionStyles.Strict, out _);

    /// <summary>Highest precedence first (build metadata breaks ties, so the order is total).</summary>
    public static IOrderedEnumerable<T> NewestFirst<T>(IEnumerable<T> items, Func<T, string> version) =>
        items.OrderByDescending(item => SemVersion.Parse(version(item), SemVersionStyles.Strict), SemVersion.SortOrderComparer);

    /// <summary>
    /// What "latest" means everywhere (the crate page, search, badges, feeds and the <c>latest</c> download): the
    /// highest stable version that is not yanked, or the highest pre-release when there is no stable one. A yanked
    /// version is never the latest; null when there is none.
    /// </summary>
    public static T? Latest<T>(IEnumerable<T> items, Func<T, string> version, Func<T, bool> yanked) where T : class =>
        NewestFirst(items.Where(item => !yanked(item)), version)
            .OrderBy(item => SemVersion.Parse(version(item), SemVersionStyles.Strict).IsPrerelease).FirstOrDefault();
}
