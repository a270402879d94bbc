using BuildsRs.Web.Components.Common;

namespace BuildsRs.Tests.Web;

public sealed class BuildOutcomesTests
{
    [Theory]
    [InlineData("out_of_memory", "the build ran out of memory at 2 GiB", "The build ran out of memory at 2 GiB.")]
    [InlineData("timed_out", "the build timed out after 30 min", "The build timed out after 30 min.")]
    [InlineData("no_output", "the build printed nothing for 10 min", "The build printed nothing for 10 min.")]
    [InlineData("no_binaries", "the build succeeded but installed no binary", "No binary targets: the build succeeded but installed no binary.")]
    [InlineData("out_of_memory", null, "The build ran out of memory.")]
    public void An_outcome_is_explained_with_the_limit_the_builder_reported(string? outcome, string? error, string expected) =>
        Assert.Equal(expected, BuildOutcomes.Explain("failed", outcome, error));

    [Theory]
    [InlineData("queued", null, null, "Not finished yet.")]
    [InlineData("cancelled", null, "the version was yanked", "Cancelled: the version was yanked.")]
    [InlineData("cancelled", null, "an operator cancelled it", "Cancelled: an operator cancelled it.")]
    [InlineData("cancelled", null, null, "Cancelled.")]
    public void A_job_that_did_not_end_by_itself_says_so(string state, string? outcome, string? error, string expected) =>
        Assert.Equal(expected, BuildOutcomes.Explain(state, outcome, error));

    [Fact]
    public void A_failed_compilation_points_to_the_log_not_to_a_fragment_of_it() =>
        Assert.Equal("The crate did not compile in the sandbox; the log shows why.",
            BuildOutcomes.Explain("failed", "build_failed", "the build failed (exit 101):    Compiling x\nerror[E0425]: cannot find value"));
}
