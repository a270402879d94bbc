using BuildsRs.Contracts.Jobs;
using BuildsRs.Web.Components.Common;

namespace BuildsRs.Tests.Web;

public sealed class BuildOutcomesTests
{
    [Theory]
    [InlineData(JobOutcome.OutOfMemory, "the build ran out of memory at 2 GiB", "The build ran out of memory at 2 GiB.")]
    [InlineData(JobOutcome.DiskLimit, "the build ran out of disk space: it may use 3 GiB in /tmp and write 2 GiB of output",
        "The build ran out of disk space: it may use 3 GiB in /tmp and write 2 GiB of output.")]
    [InlineData(JobOutcome.TimedOut, "the build timed out after 30 min", "The build timed out after 30 min.")]
    [InlineData(JobOutcome.NoOutput, "the build printed nothing for 10 min", "The build printed nothing for 10 min.")]
    [InlineData(JobOutcome.NoBinaries, "the build succeeded but installed no binary", "No binary targets: the build succeeded but installed no binary.")]
    [InlineData(JobOutcome.Rejected, "refused to unpack the .crate: demo-1.0.0/../x leaves the crate folder",
        "Rejected before anything ran: refused to unpack the .crate: demo-1.0.0/../x leaves the crate folder.")]
    [InlineData(JobOutcome.OutOfMemory, null, "The build ran out of memory.")]
    public void An_outcome_is_explained_with_the_limit_the_builder_reported(JobOutcome? outcome, string? error, string expected) =>
        Assert.Equal(expected, BuildOutcomes.Explain(VersionState.Failed, outcome, error));

    [Fact]
    public void Every_outcome_has_its_own_words()
    {
        var explained = Enum.GetValues<JobOutcome>().Select(outcome => BuildOutcomes.Explain(VersionState.Failed, outcome, null)).ToList();
        var labels = Enum.GetValues<JobOutcome>().Select(outcome => BuildOutcomes.Label(VersionState.Failed, outcome)).ToList();

        Assert.Equal(explained.Count, explained.Distinct().Count());
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.DoesNotContain(labels, label => label.Contains('_', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(VersionState.Queued, null, null, "Not finished yet.")]
    [InlineData(VersionState.Cancelled, null, "the version was yanked", "Cancelled: the version was yanked.")]
    [InlineData(VersionState.Cancelled, null, "an operator cancelled it", "Cancelled: an operator cancelled it.")]
    [InlineData(VersionState.Cancelled, null, null, "Cancelled.")]
    public void A_job_that_did_not_end_by_itself_says_so(VersionState state, JobOutcome? outcome, string? error, string expected) =>
        Assert.Equal(expected, BuildOutcomes.Explain(state, outcome, error));

    [Fact]
    public void A_failed_compilation_points_to_the_log_not_to_a_fragment_of_it() =>
        Assert.Equal("The crate did not compile in the sandbox; the log shows why.",
            BuildOutcomes.Explain(VersionState.Failed, JobOutcome.BuildFailed, "the build failed (exit 101):    Compiling x\nerror[E0425]: cannot find value"));
}
