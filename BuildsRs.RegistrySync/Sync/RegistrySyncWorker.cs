using BuildsRs.Data.Bulk;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

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
        // A pass that fails is tried again after 2 s, 4 s, 8 s… up to MaxBackoff; one that went through, or that the
        // removal guard held, waits for the next poll.
        var passes = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex =>
                ex is not RemovalsHeldException && !(ex is OperationCanceledException && stoppingToken.IsCancellationRequested)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(2),
            MaxDelay = settings.MaxBackoff,
            OnRetry = failed =>
            {
                status.Failed(failed.Outcome.Exception!);
                LogPassFailed(logger, failed.Outcome.Exception!, status.ConsecutiveFailures);
                return default;
            },
        }).Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await passes.ExecuteAsync(PassAsync, stoppingToken);
                status.Succeeded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RemovalsHeldException held)
            {
                status.Held(held);
                telemetry.RemovalsHeld(held.Removals);
                LogRemovalsHeld(logger, held.Message);
            }
            try
            {
                await Task.Delay(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async ValueTask PassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (options.Value.Mode == RegistryIndexMode.Git)
        {
            await scope.ServiceProvider.GetRequiredService<GitIndexSync>().RunPassAsync(cancellationToken);
        }
        else
        {
            var sparse = scope.ServiceProvider.GetRequiredService<SparseIndexRefresh>();
            await sparse.RefreshAsync(await sparse.KnownCratesAsync(cancellationToken), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "Sync pass held by the removal guard: {Reason}. POST /api/v1/registry/removals/confirm applies it")]
    private static partial void LogRemovalsHeld(ILogger logger, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Sync pass failed ({Failures} in a row); retrying with backoff")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, int failures);
}
