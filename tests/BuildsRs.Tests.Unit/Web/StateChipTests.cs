using BuildsRs.Contracts.Jobs;
using BuildsRs.Web.Components.Common;
using Bunit;

namespace BuildsRs.Tests.Web;

public sealed class StateChipTests : WebComponentContext
{
    [Theory]
    [InlineData(VersionState.Succeeded, JobOutcome.Succeeded, "built", "mud-chip-color-success")]
    [InlineData(VersionState.Failed, JobOutcome.OutOfMemory, "out of memory", "mud-chip-color-error")]
    [InlineData(VersionState.Failed, JobOutcome.DiskLimit, "out of disk", "mud-chip-color-error")]
    [InlineData(VersionState.Failed, JobOutcome.Rejected, "rejected", "mud-chip-color-error")]
    [InlineData(VersionState.Failed, JobOutcome.InfrastructureError, "infrastructure error", "mud-chip-color-warning")]
    [InlineData(VersionState.Running, null, "running", "mud-chip-color-info")]
    [InlineData(VersionState.Queued, null, "queued", "mud-chip-color-primary")]
    [InlineData(VersionState.Library, null, "library", "mud-chip-color-default")]
    [InlineData(VersionState.Pending, null, "not looked at yet", "mud-chip-color-default")]
    public void A_state_reads_as_words_in_its_colour(VersionState state, JobOutcome? outcome, string label, string colour)
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, state).Add(c => c.Outcome, outcome));

        var root = chip.Find(".state-chip");
        Assert.Equal(label, root.TextContent.Trim());
        Assert.Contains(colour, root.ClassList);
    }

    [Fact]
    public void A_chip_for_one_target_names_it_first()
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, VersionState.Failed).Add(c => c.Outcome, JobOutcome.TimedOut).Add(c => c.Target, "x86_64-unknown-linux-gnu"));

        Assert.Equal("x86_64-unknown-linux-gnu: timed out", chip.Find(".state-chip").TextContent.Trim().Replace('\u00A0', ' '));
    }

    [Fact]
    public void A_chip_whose_build_ends_on_a_live_page_takes_the_colour_of_its_outcome()
    {
        var chip = Render<StateChip>(p => p.Add(c => c.State, VersionState.Running));

        chip.Render(p => p.Add(c => c.State, VersionState.Succeeded).Add(c => c.Outcome, JobOutcome.Succeeded));

        Assert.Contains("mud-chip-color-success", chip.Find(".state-chip").ClassList);
        Assert.Equal("built", chip.Find(".state-chip").TextContent.Trim());
    }
}
