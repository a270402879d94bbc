using BuildsRs.Contracts;

namespace BuildsRs.Tests.Unit;

/// <summary>"Latest" is one rule, wherever it is asked: the crate page, search, badges, feeds and downloads.</summary>
public sealed class LatestVersionTests
{
    [Theory]
    [InlineData("1.2.0", "1.0.0 1.2.0 1.10.0! 2.0.0-beta.1")]
    [InlineData("1.10.0", "1.0.0 1.2.0 1.10.0 2.0.0-beta.1")]
    [InlineData("2.0.0-beta.1", "2.0.0-alpha.3 2.0.0-beta.1 1.0.0!")]
    [InlineData(null, "1.0.0! 2.0.0!")]
    [InlineData(null, "")]
    public void The_latest_is_the_highest_stable_version_not_yanked_else_the_highest_pre_release(string? expected, string versions)
    {
        // A "!" marks a yanked version.
        var all = versions.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => (Version: v.TrimEnd('!'), Yanked: v.EndsWith('!'))).ToList();

        var latest = VersionNumber.Latest(all.Select(v => new Tuple<string, bool>(v.Version, v.Yanked)), v => v.Item1, v => v.Item2);

        Assert.Equal(expected, latest?.Item1);
    }
}
