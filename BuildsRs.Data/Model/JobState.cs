namespace BuildsRs.Data.Model;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStateRules
{
    /// <summary>Succeeded, failed or cancelled: the job will not change again.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
