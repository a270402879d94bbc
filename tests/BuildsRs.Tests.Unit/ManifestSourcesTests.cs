using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Tests.Unit;

/// <summary>A hand-made manifest cannot send the fetch phase anywhere but the registry.</summary>
public sealed class ManifestSourcesTests : IDisposable
{
    private readonly string manifest = Path.Combine(Path.GetTempPath(), $"buildsrs-tests-manifest-{Guid.NewGuid():N}.toml");

    public void Dispose() => File.Delete(manifest);

    private const string Package = """
        [package]
        name = "demo"
        version = "1.0.0"

        """;

    [Fact]
    public void A_manifest_as_cargo_package_writes_it_passes()
    {
        File.WriteAllText(manifest, Package + """
            [dependencies.serde]
            version = "1"
            features = ["derive"]
            [dev-dependencies]
            memchr = "2"
            [target.'cfg(unix)'.dependencies]
            libc = { version = "0.2", default-features = false }
            [build-dependencies]
            cc = "1"
            """);

        var refusal = Record.Exception(() => ManifestSources.Check(manifest));

        Assert.Null(refusal);
    }

    [Theory]
    [InlineData("[patch.crates-io]\nmemchr = { version = \"2\" }", "[patch] section")]
    [InlineData("patch.crates-io.memchr = { version = \"2\" }", "[patch] section")]
    [InlineData("[replace]\n\"memchr:2.0.0\" = { version = \"2\" }", "[replace] section")]
    [InlineData("[dependencies]\nevil = { git = \"http://169.254.169.254/repo\" }", "dependency `evil` in [dependencies] comes from a git")]
    [InlineData("[dependencies.evil]\nversion = \"1\"\nregistry-index = \"sparse+http://10.0.0.1/\"", "comes from a registry-index")]
    [InlineData("[build-dependencies]\nevil = { path = \"/etc\" }", "dependency `evil` in [build-dependencies] comes from a path")]
    [InlineData("[dev-dependencies]\nevil = { git = \"https://example.org/x\" }", "in [dev-dependencies] comes from a git")]
    [InlineData("[target.'cfg(unix)'.dependencies]\nevil = { git = \"https://example.org/x\" }", "in [target.cfg(unix).dependencies] comes from a git")]
    [InlineData("[workspace.dependencies]\nevil = { version = \"1\", registry-index = \"sparse+http://127.0.0.1:9/\" }", "dependency `evil` in [workspace.dependencies] comes from a registry-index")]
    [InlineData("[workspace.dependencies]\nevil = { git = \"http://169.254.169.254/repo\" }", "in [workspace.dependencies] comes from a git")]
    [InlineData("[workspace.patch.crates-io]\nmemchr = { version = \"2\" }", "[workspace.patch] section")]
    public void Sources_other_than_the_registry_are_refused_as_the_crates_fault(string section, string expected)
    {
        File.WriteAllText(manifest, section + "\n" + Package);

        var refusal = Assert.Throws<JobFailedException>(() => ManifestSources.Check(manifest));

        Assert.Equal(JobOutcome.Rejected, refusal.Outcome);
        Assert.Contains(expected, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_that_is_not_toml_is_refused_clearly()
    {
        File.WriteAllText(manifest, "[package\nname = ");

        var refusal = Assert.Throws<JobFailedException>(() => ManifestSources.Check(manifest));

        Assert.StartsWith("Cargo.toml is not valid TOML", refusal.Message, StringComparison.Ordinal);
    }

    private const string Lockfile = """
        version = 3

        [[package]]
        name = "demo"
        version = "1.0.0"
        dependencies = ["memchr"]

        [[package]]
        name = "memchr"
        version = "2.5.0"
        source = "registry+https://github.com/rust-lang/crates.io-index"
        checksum = "2dffe52ecf27772e601905b7522cb4ef790d2cc203488bbd0e2fe85fcb74566d"

        """;

    [Fact]
    public void A_lockfile_of_the_registry_alone_passes()
    {
        var refusal = Record.Exception(() => ManifestSources.CheckLockfile(Lockfile, "Cargo.lock", "demo", "1.0.0"));

        Assert.Null(refusal);
    }

    [Theory]
    [InlineData("[[package]]\nname = \"evil\"\nversion = \"1.0.0\"\nsource = \"git+http://127.0.0.1:9/repo#0123\"\n", "the package `evil` from git+http://127.0.0.1:9/repo#0123")]
    [InlineData("[[package]]\nname = \"evil\"\nversion = \"1.0.0\"\nsource = \"sparse+http://169.254.169.254/\"\n", "the package `evil` from sparse+http://169.254.169.254/")]
    [InlineData("[[package]]\nname = \"local\"\nversion = \"0.1.0\"\n", "the package `local` from a path")]
    public void A_lockfile_with_a_package_from_anywhere_else_is_refused(string package, string expected)
    {
        var refusal = Assert.Throws<JobFailedException>(() => ManifestSources.CheckLockfile(Lockfile + package, "the resolved Cargo.lock", "demo", "1.0.0"));

        Assert.Equal(JobOutcome.Rejected, refusal.Outcome);
        Assert.StartsWith($"the resolved Cargo.lock has {expected}", refusal.Message, StringComparison.Ordinal);
    }
}
