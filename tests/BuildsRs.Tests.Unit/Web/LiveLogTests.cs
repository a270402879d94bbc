using BuildsRs.Web.Components.Common;
using Bunit;

namespace BuildsRs.Tests.Web;

public sealed class LiveLogTests : WebComponentContext
{
    [Fact]
    public void Each_chunk_is_its_own_element_so_a_new_chunk_is_a_small_update()
    {
        var log = Render<LiveLog>(p => p.Add(c => c.Chunks, ["   Compiling a v1.0.0\n", "    Finished release\n"]).Add(c => c.Following, true));

        Assert.Equal(["   Compiling a v1.0.0\n", "    Finished release\n"], log.FindAll("pre > span").Select(s => s.TextContent));
        Assert.True(log.Find("pre").HasAttribute("data-follow"));
    }

    [Fact]
    public void An_empty_log_says_so_and_is_not_followed_once_the_build_ended()
    {
        var log = Render<LiveLog>(p => p.Add(c => c.Chunks, []).Add(c => c.Following, false));

        Assert.Equal("Nothing logged yet.", log.Find("pre").TextContent);
        Assert.False(log.Find("pre").HasAttribute("data-follow"));
    }
}
