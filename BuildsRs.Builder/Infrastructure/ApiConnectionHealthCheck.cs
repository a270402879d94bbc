using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>Degraded while disconnected: the builder itself is fine and keeps trying.</summary>
internal sealed class ApiConnectionHealthCheck(ApiConnectionState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Connected ? HealthCheckResult.Healthy(state.Detail) : HealthCheckResult.Degraded(state.Detail));
}
