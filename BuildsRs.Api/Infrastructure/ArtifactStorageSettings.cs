using System.Data.Common;
using Amazon.Runtime;
using Amazon.S3;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Where artifacts live, from a connection string of the form
/// <c>Endpoint=https://...;AccessKey=...;SecretKey=...;Bucket=...[;Region=...]</c> (Wasabi, AWS, MinIO, a local server).
/// </summary>
internal sealed record ArtifactStorageSettings(Uri Endpoint, string AccessKey, string SecretKey, string Bucket, string? Region)
{
    public static ArtifactStorageSettings Parse(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => parts.TryGetValue(key, out var value) ? value?.ToString() : null;
        string Require(string key) => Get(key) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The artifact storage connection string has no {key}.");

        return Uri.TryCreate(Require("Endpoint"), UriKind.Absolute, out var endpoint)
            ? new(endpoint, Require("AccessKey"), Require("SecretKey"), Require("Bucket"), Get("Region"))
            : throw new InvalidOperationException("The artifact storage Endpoint is not an absolute URL.");
    }

    public IAmazonS3 CreateClient() => new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        AuthenticationRegion = Region ?? "us-east-1",
        ForcePathStyle = true,
        // Checksums only where the API requires them: S3-compatible servers that don't understand the newer
        // trailing checksums would store the aws-chunked framing as the object.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
