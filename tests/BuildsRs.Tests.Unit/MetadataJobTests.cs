using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Tests.Unit;

public sealed class MetadataJobTests
{
    [Fact]
    public void Binary_targets_and_the_authors_settings_are_read_from_cargo_metadata()
    {
        const string metadata = """
            {"packages":[{"name":"demo","targets":[
                {"name":"demo","kind":["lib"]},{"name":"demo-cli","kind":["bin"]},{"name":"helper","kind":["bin"]},{"name":"build-script-build","kind":["custom-build"]}],
              "metadata":{"buildsrs":{"targets":["x86_64-unknown-linux-gnu"],"features":["cli"],"no-default-features":true,"bins":["demo-cli"]}}}]}
            """;

        var (binaries, settings) = MetadataJob.Read(metadata, "demo");

        Assert.Equal(["demo-cli", "helper"], binaries);
        Assert.Equal(["x86_64-unknown-linux-gnu"], settings!.Targets);
        Assert.Equal(["cli"], settings.Features);
        Assert.True(settings.NoDefaultFeatures);
        Assert.Equal(["demo-cli"], settings.Bins);
    }

    [Fact]
    public void A_library_has_no_binaries_and_no_settings()
    {
        var (binaries, settings) = MetadataJob.Read("""{"packages":[{"name":"semver","targets":[{"name":"semver","kind":["lib"]}],"metadata":null}]}""", "semver");

        Assert.Empty(binaries);
        Assert.Null(settings);
    }

    [Fact]
    public void Malformed_build_settings_fail_the_crate_clearly()
    {
        var error = Assert.Throws<JobFailedException>(() =>
            MetadataJob.Read("""{"packages":[{"name":"demo","targets":[],"metadata":{"buildsrs":{"targets":"all"}}}]}""", "demo"));

        Assert.Equal(JobOutcome.BuildFailed, error.Outcome);
        Assert.Contains("[package.metadata.buildsrs]", error.Message, StringComparison.Ordinal);
    }
}
