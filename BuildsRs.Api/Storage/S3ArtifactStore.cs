using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BuildsRs.Api.Infrastructure;

namespace BuildsRs.Api.Storage;

/// <summary>Artifacts in an S3 bucket (AWS, Wasabi, MinIO or a local server).</summary>
internal sealed class S3ArtifactStore(IAmazonS3 s3, ArtifactStorageSettings settings, TimeProvider clock) : IArtifactStore, IDisposable
{
    /// <summary>Signs download links for the address clients reach storage at (signing needs no request).</summary>
    private readonly IAmazonS3 links = settings.PublicEndpoint is { } publicEndpoint ? settings.CreateClient(publicEndpoint) : s3;

    /// <summary>Long enough for a slow start of a large download; short enough that a shared link soon expires.</summary>
    private static readonly TimeSpan DownloadLinkLifetime = TimeSpan.FromMinutes(15);

    public async Task PutAsync(string key, Stream content, long length, string sha256, CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("Store artifact");
        activity?.SetTag("buildsrs.artifact.key", key);
        try
        {
            await StoreAndCheckAsync(key, content, length, sha256, cancellationToken);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new IOException($"artifact storage failed: {ex.Message}", ex);
        }
    }

    private async Task StoreAndCheckAsync(string key, Stream content, long length, string sha256, CancellationToken cancellationToken)
    {
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = settings.Bucket,
            Key = key,
            InputStream = content,
            AutoCloseStream = false,
            // Some S3-compatible servers store the aws-chunked framing as the object: send plain bytes.
            UseChunkEncoding = false,
            Headers = { ContentLength = length, ContentType = "application/gzip" },
        }, cancellationToken);

        using var stored = await s3.GetObjectAsync(settings.Bucket, key, cancellationToken);
        var readBack = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored.ResponseStream, cancellationToken));
        if (readBack != sha256)
        {
            await s3.DeleteObjectAsync(settings.Bucket, key, cancellationToken);
            throw new IOException($"storage returned other bytes for {key} ({readBack}, expected {sha256})");
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.DeleteObjectAsync(settings.Bucket, key, cancellationToken);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new IOException($"artifact storage failed: {ex.Message}", ex);
        }
    }

    public async Task<ArtifactLocation> LocateAsync(string key, string fileName) =>
        new(new Uri(await links.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = settings.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = clock.GetUtcNow().Add(DownloadLinkLifetime).UtcDateTime,
            Protocol = settings.DownloadEndpoint.Scheme == Uri.UriSchemeHttps ? Protocol.HTTPS : Protocol.HTTP,
            ResponseHeaderOverrides = { ContentDisposition = $"attachment; filename=\"{fileName}\"" },
        })), null);

    public void Dispose()
    {
        if (!ReferenceEquals(links, s3))
        {
            links.Dispose();
        }
    }
}
