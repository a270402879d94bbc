using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>Degraded, not unhealthy, while the registry cannot be reached or a pass is held by the removal guard: the
/// service itself is fine and retries.</summary>
internal sealed class SyncHealthCheck(SyncStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.HeldRemovals is { } held
            ? HealthCheckResult.Degraded($"a pass was held: {held}. POST /api/v1/registry/removals/confirm applies it; a later pass that " +
                "no longer removes so much clears this")
            : status.ConsecutiveFailures == 0
            ? HealthCheckResult.Healthy(status.LastSuccess is { } last ? $"in step as of {last:O}" : "first pass pending")
            : HealthCheckResult.Degraded(
                $"registry unreachable since {status.FailingSince:O} ({status.ConsecutiveFailures} failed attempts): {status.LastError}"));
}
