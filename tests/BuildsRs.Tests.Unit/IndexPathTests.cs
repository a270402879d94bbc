using BuildsRs.Contracts.Registry;

namespace BuildsRs.Tests.Unit;

public sealed class IndexPathTests
{
    [Theory]
    [InlineData("a", "1/a")]
    [InlineData("ab", "2/ab")]
    [InlineData("abc", "3/a/abc")]
    [InlineData("Serde", "se/rd/serde")]
    [InlineData("cargo-binutils", "ca/rg/cargo-binutils")]
    public void Paths_follow_cargos_layout(string name, string path)
    {
        Assert.Equal(path, IndexPath.For(name));
        Assert.Equal(name.ToLowerInvariant(), IndexPath.CrateNameOf(path));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData("se/rd/Serde")]
    [InlineData("xx/yy/serde")]
    [InlineData("se/rd/../../etc")]
    public void Files_that_are_not_crate_files_are_not_crates(string path) => Assert.Null(IndexPath.CrateNameOf(path));

    [Fact]
    public void Download_urls_fill_every_marker_or_use_cargos_default()
    {
        var checksum = new string('a', 64);
        Assert.Equal("https://static.crates.io/crates/Serde/Serde-1.0.0.crate",
            new RegistryConfig { Dl = "https://static.crates.io/crates/{crate}/{crate}-{version}.crate" }.DownloadUrl("Serde", "1.0.0", checksum));
        Assert.Equal($"https://dl.example/Se/rd/se/rd/{checksum}",
            new RegistryConfig { Dl = "https://dl.example/{prefix}/{lowerprefix}/{sha256-checksum}" }.DownloadUrl("Serde", "1.0.0", checksum));
        Assert.Equal("https://dl.example/api/serde/1.0.0/download",
            new RegistryConfig { Dl = "https://dl.example/api" }.DownloadUrl("serde", "1.0.0", checksum));
    }
}
