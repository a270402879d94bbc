using BuildsRs.Data.Jobs;

namespace BuildsRs.Api.Jobs;

/// <summary>Puts jobs whose builders stopped heartbeating back in the queue (any Api instance may do it).</summary>
internal sealed partial class LeaseSweeper(IServiceScopeFactory scopes, ILogger<LeaseSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var requeued = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RequeueExpiredAsync(stoppingToken);
                if (requeued > 0)
                {
                    LogRequeued(logger, requeued);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "{Count} jobs lost their builder and went back to the queue (or failed after too many tries)")]
    private static partial void LogRequeued(ILogger logger, int count);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Lease sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
