namespace BuildsRs.RegistrySync.Sync;

/// <summary>How the last passes went, for the health report. Shared by the worker and the health check.</summary>
public sealed class SyncStatus(TimeProvider clock)
{
    private readonly Lock gate = new();

    public DateTimeOffset? LastSuccess { get; private set; }
    public DateTimeOffset? FailingSince { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    public string? LastError { get; private set; }

    public void Succeeded()
    {
        lock (gate)
        {
            LastSuccess = clock.GetUtcNow();
            FailingSince = null;
            ConsecutiveFailures = 0;
            LastError = null;
        }
    }

    public void Failed(Exception error)
    {
        lock (gate)
        {
            FailingSince ??= clock.GetUtcNow();
            ConsecutiveFailures++;
            LastError = error.Message;
        }
    }
}
