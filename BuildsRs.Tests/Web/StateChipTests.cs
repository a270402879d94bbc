using BuildsRs.Web.Components.Common;
using Bunit;

namespace BuildsRs.Tests.Web;

public sealed class StateChipTests : WebComponentContext
{
    [Theory]
    [InlineData("succeeded", "succeeded", "built", "mud-chip-color-success")]
    [InlineData("failed", "out_of_memory", "out of memory", "mud-chip-color-error")]
    [InlineData("failed", "infrastructure_error", "infrastructure error", "mud-chip-color-warning")]
    [InlineData("running", null, "running", "mud-chip-color-info")]
    [InlineData("queued", null, "queued", "mud-chip-color-primary")]
    [InlineData("library", null, "library", "mud-chip-color-default")]
    [InlineData("pending", null, "not looked at yet", "mud-chip-color-default")]
    public void A_state_reads_as_words_in_its_colour(string state, string? outcome, string label, string colour)
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, state).Add(c => c.Outcome, outcome));

        var root = chip.Find(".state-chip");
        Assert.Equal(label, root.TextContent.Trim());
        Assert.Contains(colour, root.ClassList);
    }

    [Fact]
    public void A_chip_for_one_target_names_it_first()
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, "failed").Add(c => c.Outcome, "timed_out").Add(c => c.Target, "x86_64-unknown-linux-gnu"));

        Assert.Equal("x86_64-unknown-linux-gnu: timed out", chip.Find(".state-chip").TextContent.Trim().Replace('\u00A0', ' '));
    }

    [Fact]
    public void A_chip_whose_build_ends_on_a_live_page_takes_the_colour_of_its_outcome()
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, "running"));

        chip.Render(p => p.Add(c => c.State, "succeeded").Add(c => c.Outcome, "succeeded"));

        Assert.Contains("mud-chip-color-success", chip.Find(".state-chip").ClassList);
        Assert.Equal("built", chip.Find(".state-chip").TextContent.Trim());
    }
}
