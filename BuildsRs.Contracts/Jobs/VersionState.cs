using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Jobs;

/// <summary>One word for where a version stands, from its newest jobs.</summary>
[JsonConverter(typeof(SnakeCaseEnumJsonConverter<VersionState>))]
public enum VersionState
{
    /// <summary>Its metadata has not been read yet (or it has no job at all).</summary>
    Pending,
    Queued,
    Running,

    /// <summary>It has no binary targets: nothing to build.</summary>
    Library,

    /// <summary>Every target built.</summary>
    Succeeded,

    /// <summary>Something could not be built.</summary>
    Failed,
    Cancelled,
}

public static class VersionStates
{
    /// <summary>A job's state as a version's: the version stands where its job does.</summary>
    public static VersionState Of(JobState state) => state switch
    {
        JobState.Queued => VersionState.Queued,
        JobState.Running => VersionState.Running,
        JobState.Succeeded => VersionState.Succeeded,
        JobState.Failed => VersionState.Failed,
        _ => VersionState.Cancelled,
    };

    /// <summary>Where a build that ended with <paramref name="outcome"/> stands.</summary>
    public static VersionState Of(JobOutcome outcome) => outcome == JobOutcome.Succeeded ? VersionState.Succeeded : VersionState.Failed;
}
