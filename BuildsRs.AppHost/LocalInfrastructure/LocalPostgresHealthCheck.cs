using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace BuildsRs.AppHost.LocalInfrastructure;

/// <summary>Healthy once the database itself answers a query: listening alone is not ready.</summary>
internal sealed class LocalPostgresHealthCheck(LocalPostgresResource postgres) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await postgres.ConnectionStringExpression.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}
