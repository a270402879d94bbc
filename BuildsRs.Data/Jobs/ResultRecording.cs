namespace BuildsRs.Data.Jobs;

/// <summary>What became of a builder's result.</summary>
public abstract record ResultRecording
{
    /// <summary>The one accepted answer.</summary>
    public static readonly Accepted Recorded = new();

    /// <summary>Recorded: the job ended, or went back to the queue after an infrastructure error with tries left.</summary>
    public sealed record Accepted : ResultRecording;

    /// <summary>Not recorded, and nothing changed; <paramref name="Reason"/> is what the builder is told.</summary>
    public sealed record Discarded(string Reason) : ResultRecording;
}
