using BuildsRs.Web.Components.Common;

namespace BuildsRs.Tests.Web;

public sealed class DisplayTests
{
    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(420_045, "410.2 KiB")]
    [InlineData(5L * 1024 * 1024, "5 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3 GiB")]
    public void Sizes_are_binary_units(long bytes, string expected) => Assert.Equal(expected, Display.Size(bytes));

    [Theory]
    [InlineData(0.42, "0.4 s")]
    [InlineData(21.7, "22 s")]
    [InlineData(90.0, "1 min 30 s")]
    [InlineData(5400.0, "1 h 30 min")]
    [InlineData(3600.0, "1 h")]
    [InlineData(null, "–")]
    public void Durations_read_as_people_say_them(double? seconds, string expected) => Assert.Equal(expected, Display.Duration(seconds));

    [Theory]
    [InlineData(30, "just now")]
    [InlineData(150, "2 min ago")]
    [InlineData(3 * 3600 + 5, "3 h ago")]
    [InlineData(3 * 86400, "3 days ago")]
    [InlineData(400 * 86400, "2025-10-25")]
    public void Times_are_relative_until_they_are_old(int secondsAgo, string expected)
    {
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, Display.Ago(now.AddSeconds(-secondsAgo), now));
    }
}
