using System.Security.Cryptography;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>Downloads a <c>.crate</c> and accepts it only with the SHA-256 the index states.</summary>
public sealed class CrateDownloader(HttpClient http)
{
    public const long MaxCrateBytes = 64 * 1024 * 1024;

    public async Task<byte[]> DownloadAsync(string url, string checksum, CancellationToken cancellationToken)
    {
        byte[] bytes;
        using (BuilderTelemetry.StartStep("download"))
        {
            bytes = await FetchAsync(url, cancellationToken);
        }
        using var step = BuilderTelemetry.StartStep("checksum");
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == checksum
            ? bytes
            : throw new JobFailedException(JobOutcome.InfrastructureError, $"checksum mismatch: the index says {checksum}, the download is {actual}");
    }

    private async Task<byte[]> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new JobFailedException(JobOutcome.InfrastructureError, $"downloading {url} failed: {(int)response.StatusCode}");
        }
        if (response.Content.Headers.ContentLength > MaxCrateBytes)
        {
            throw new JobFailedException(JobOutcome.InfrastructureError, $"the .crate is larger than {MaxCrateBytes} bytes");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copy.Write(buffer, 0, read);
            if (copy.Length > MaxCrateBytes)
            {
                throw new JobFailedException(JobOutcome.InfrastructureError, $"the .crate is larger than {MaxCrateBytes} bytes");
            }
        }
        return copy.ToArray();
    }
}
