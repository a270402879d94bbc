using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.Api.Infrastructure;

/// <summary>Healthy when the bucket answers a listing with these credentials.</summary>
internal sealed class ArtifactStorageHealthCheck(IAmazonS3 s3, ArtifactStorageSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = settings.Bucket, MaxKeys = 1 }, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (AmazonServiceException ex)
        {
            return HealthCheckResult.Unhealthy($"Bucket '{settings.Bucket}' at {settings.Endpoint} does not answer: {ex.Message}", ex);
        }
    }
}
