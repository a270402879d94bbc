using BuildsRs.Contracts.Registry;
using BuildsRs.RegistrySync.Sync;

namespace BuildsRs.Tests.Unit;

public sealed class RegistryOptionsTests
{
    [Theory]
    [InlineData("https://index.example.org/mirror", "https://index.example.org/mirror/se/rd/serde")]
    [InlineData("https://index.example.org/mirror/", "https://index.example.org/mirror/se/rd/serde")]
    [InlineData("http://127.0.0.1:5090/index", "http://127.0.0.1:5090/index/se/rd/serde")]
    [InlineData("https://index.crates.io", "https://index.crates.io/se/rd/serde")]
    public void A_sparse_index_url_without_its_trailing_slash_still_finds_each_crates_file(string configured, string serde)
    {
        var options = new RegistryOptions { SparseIndexUrl = new Uri(configured) };

        options.AddTrailingSlash();

        Assert.Equal(serde, new Uri(options.SparseIndexUrl, IndexPath.For("serde")).ToString());
        Assert.True(options.HasHttpSparseIndexUrl());
    }

    [Fact]
    public void A_sparse_index_url_that_http_cannot_fetch_is_refused()
    {
        Assert.False(new RegistryOptions { SparseIndexUrl = new Uri("file:///srv/index/") }.HasHttpSparseIndexUrl());
        Assert.False(new RegistryOptions { SparseIndexUrl = new Uri("index/", UriKind.Relative) }.HasHttpSparseIndexUrl());
    }
}
