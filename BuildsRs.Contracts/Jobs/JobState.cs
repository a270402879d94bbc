using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Jobs;

/// <summary>
/// Where a job is in its life: <c>queued -&gt; running -&gt; succeeded | failed | cancelled</c>. A running job whose
/// lease runs out, or whose builder reports an infrastructure error, goes back to <see cref="Queued"/>; a job that has
/// ended never changes again (a rebuild is a new job).
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumJsonConverter<JobState>))]
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

    /// <summary>A build that ran to its end (cancelled ones did not): what "finished builds" count.</summary>
    public static bool IsFinished(this JobState state) => state is JobState.Succeeded or JobState.Failed;
}
