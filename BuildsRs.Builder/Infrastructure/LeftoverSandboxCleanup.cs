using BuildsRs.Builder.Jobs;
using Docker.DotNet;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// A builder that was killed outright could not remove its running build; when it, or another builder process that
/// takes its key over, starts, that container goes before any new job begins.
/// </summary>
internal sealed partial class LeftoverSandboxCleanup(Sandbox sandbox, ILogger<LeftoverSandboxCleanup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var removed = await sandbox.RemoveLeftoversAsync(cancellationToken);
            if (removed > 0)
            {
                LogRemoved(logger, removed);
            }
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            // The engine's health check reports an unreachable engine; starting must not fail over it.
            LogFailed(logger, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Removed {Count} build containers left by an earlier run of this builder")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Could not look for leftover build containers: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
