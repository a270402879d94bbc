namespace BuildsRs.Data.Model;

/// <summary>Why a job ended as it did. Only <see cref="InfrastructureError"/> is retried.</summary>
public enum OutcomeClass
{
    Succeeded,
    BuildFailed,
    NoBinaries,
    OutOfMemory,
    TimedOut,
    NoOutput,
    InfrastructureError,
}
