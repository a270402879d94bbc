using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Integration;

public sealed class CrateDownloaderTests : IAsyncLifetime
{
    private LocalRegistryFixture registry = null!;

    public async Task InitializeAsync() => registry = await LocalRegistryFixture.StartAsync();

    public async Task DisposeAsync() => await registry.DisposeAsync();

    [Fact]
    public async Task A_download_is_accepted_only_with_the_checksum_of_the_index()
    {
        using var http = new HttpClient();
        var downloader = new CrateDownloader(http);
        var url = new Uri(registry.Url, "api/v1/crates/hexyl/0.8.0/download").ToString();
        var line = await http.GetStringAsync(new Uri(registry.SparseIndexUrl, "he/xy/hexyl"));
        var checksum = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("cksum").GetString()!;

        var crate = await downloader.DownloadAsync(url, checksum, CancellationToken.None);
        var mismatch = await Assert.ThrowsAsync<JobFailedException>(() => downloader.DownloadAsync(url, new string('0', 64), CancellationToken.None));

        Assert.True(crate.Length > 1000);
        Assert.Equal(JobOutcome.InfrastructureError, mismatch.Outcome);
        Assert.Contains("checksum mismatch", mismatch.Message, StringComparison.Ordinal);
    }
}
