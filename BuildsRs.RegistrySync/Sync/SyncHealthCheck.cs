using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>Degraded, not unhealthy, while the registry cannot be reached: the service itself is fine and retries.</summary>
internal sealed class SyncHealthCheck(SyncStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.ConsecutiveFailures == 0
            ? HealthCheckResult.Healthy(status.LastSuccess is { } last ? $"in step as of {last:O}" : "first pass pending")
            : HealthCheckResult.Degraded(
                $"registry unreachable since {status.FailingSince:O} ({status.ConsecutiveFailures} failed attempts): {status.LastError}"));
}
