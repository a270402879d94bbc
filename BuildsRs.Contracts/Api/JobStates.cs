namespace BuildsRs.Contracts.Api;

/// <summary>A job's states as the API spells them. A job ends succeeded, failed or cancelled, and never changes after.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled;
}
