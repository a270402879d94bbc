namespace BuildsRs.Contracts.Builders;

/// <summary>How a job can end, as builders report it. Only an infrastructure error is worth retrying.</summary>
public static class JobOutcomes
{
    public const string Succeeded = "succeeded";
    public const string BuildFailed = "build_failed";
    public const string NoBinaries = "no_binaries";
    public const string OutOfMemory = "out_of_memory";
    public const string TimedOut = "timed_out";
    public const string NoOutput = "no_output";
    public const string InfrastructureError = "infrastructure_error";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string> { Succeeded, BuildFailed, NoBinaries, OutOfMemory, TimedOut, NoOutput, InfrastructureError };
}
