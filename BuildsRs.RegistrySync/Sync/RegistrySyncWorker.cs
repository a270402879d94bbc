using Microsoft.Extensions.Options;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>
/// Keeps passing over the registry index: every <see cref="RegistryOptions.PollInterval"/> while things work, and
/// with a growing delay (up to <see cref="RegistryOptions.MaxBackoff"/>) while the registry cannot be reached.
/// </summary>
internal sealed partial class RegistrySyncWorker(
    IServiceScopeFactory scopes, IOptions<RegistryOptions> options, SyncStatus status, SyncTelemetry telemetry, ILogger<RegistrySyncWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (settings.Mode == RegistryIndexMode.Git)
                {
                    await scope.ServiceProvider.GetRequiredService<GitIndexSync>().RunPassAsync(stoppingToken);
                }
                else
                {
                    var sparse = scope.ServiceProvider.GetRequiredService<SparseIndexRefresh>();
                    await sparse.RefreshAsync(await sparse.KnownCratesAsync(stoppingToken), stoppingToken);
                }
                status.Succeeded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Data.Bulk.RemovalsHeldException held)
            {
                status.Held(held);
                telemetry.RemovalsHeld(held.Removals);
                LogRemovalsHeld(logger, held.Message);
            }
            catch (Exception ex)
            {
                status.Failed(ex);
                LogPassFailed(logger, ex, status.ConsecutiveFailures);
            }

            try
            {
                await Task.Delay(NextDelay(settings), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan NextDelay(RegistryOptions settings)
    {
        if (status.ConsecutiveFailures == 0)
        {
            return settings.PollInterval;
        }
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(status.ConsecutiveFailures, 16)));
        return backoff < settings.MaxBackoff ? backoff : settings.MaxBackoff;
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "Sync pass held by the removal guard: {Reason}. POST /api/v1/registry/removals/confirm applies it")]
    private static partial void LogRemovalsHeld(ILogger logger, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Sync pass failed ({Failures} in a row); retrying with backoff")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, int failures);
}
