namespace BuildsRs.Data.Jobs;

/// <summary>What became of an uploaded artifact's record.</summary>
public enum ArtifactRecording
{
    Recorded,

    /// <summary>The job ended (a result, a cancel, a lease that ran out) while the artifact arrived.</summary>
    JobEnded,

    /// <summary>Another upload of the same file of the job was recorded first.</summary>
    AlreadyRecorded,
}
