using System.Data.Common;
using Amazon.Runtime;
using Amazon.S3;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Where artifacts live, from a connection string of the form
/// <c>Endpoint=https://...;AccessKey=...;SecretKey=...;Bucket=...[;Region=...][;PublicEndpoint=https://...]</c>
/// (Wasabi, AWS, MinIO, a local server). <c>PublicEndpoint</c> is where clients reach the same storage when the Api
/// reaches it at an internal address (a private network, a proxy in front): download links are signed for it.
/// </summary>
internal sealed record ArtifactStorageSettings(Uri Endpoint, string AccessKey, string SecretKey, string Bucket, string? Region, Uri? PublicEndpoint = null)
{
    public static ArtifactStorageSettings Parse(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => parts.TryGetValue(key, out var value) ? value?.ToString() : null;
        string Require(string key) => Get(key) is { Length: > 0 } value
            ? value
            : throw new InvalidSettingException($"the artifact storage connection string (ConnectionStrings:artifacts) has no {key}");

        Uri Absolute(string key, string value) => Uri.TryCreate(value, UriKind.Absolute, out var url)
            ? url
            : throw new InvalidSettingException($"the artifact storage connection string's {key} (ConnectionStrings:artifacts) is not an absolute URL");

        return new(Absolute("Endpoint", Require("Endpoint")), Require("AccessKey"), Require("SecretKey"), Require("Bucket"), Get("Region"),
            Get("PublicEndpoint") is { Length: > 0 } publicEndpoint ? Absolute("PublicEndpoint", publicEndpoint) : null);
    }

    /// <summary>The endpoint download links are signed for.</summary>
    public Uri DownloadEndpoint => PublicEndpoint ?? Endpoint;

    public IAmazonS3 CreateClient() => CreateClient(Endpoint);

    public IAmazonS3 CreateClient(Uri endpoint) => new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = endpoint.ToString(),
        AuthenticationRegion = Region ?? "us-east-1",
        ForcePathStyle = true,
        // Checksums only where the API requires them: S3-compatible servers that don't understand the newer
        // trailing checksums would store the aws-chunked framing as the object.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
