using BuildsRs.Data.Bulk;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>How the last passes went, for the health report, and whether an operator confirmed the removals a pass
/// held. Shared by the worker, the passes, the operator's endpoint and the health check.</summary>
public sealed class SyncStatus(TimeProvider clock)
{
    private readonly Lock gate = new();
    private bool removalsConfirmed;

    public DateTimeOffset? LastSuccess { get; private set; }
    public DateTimeOffset? FailingSince { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>Why the last pass was held by the removal guard; null when it was not.</summary>
    public string? HeldRemovals { get; private set; }

    /// <summary>The limit the next pass's removals are held to: none once an operator confirmed what was held.</summary>
    public RemovalLimit? RemovalLimitFor(RegistryOptions settings)
    {
        lock (gate)
        {
            return removalsConfirmed ? null : new RemovalLimit(settings.RemovalGuardShare, settings.RemovalGuardFloor);
        }
    }

    /// <summary>An operator's word that the removals held are real: the next pass applies them.</summary>
    public bool ConfirmRemovals()
    {
        lock (gate)
        {
            removalsConfirmed = HeldRemovals is not null;
            return removalsConfirmed;
        }
    }

    /// <summary>A pass went through: whatever was held is settled, one way or the other.</summary>
    public void Succeeded()
    {
        lock (gate)
        {
            LastSuccess = clock.GetUtcNow();
            FailingSince = null;
            ConsecutiveFailures = 0;
            LastError = null;
            HeldRemovals = null;
            removalsConfirmed = false;
        }
    }

    /// <summary>The registry answered, but with so many removals that the pass was not applied.</summary>
    public void Held(RemovalsHeldException held)
    {
        lock (gate)
        {
            HeldRemovals = held.Message;
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
