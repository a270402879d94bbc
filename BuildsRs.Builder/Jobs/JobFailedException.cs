using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>A job ended without success, classified.</summary>
public sealed class JobFailedException(JobOutcome outcome, string message, int? exitCode = null) : Exception(message)
{
    public JobOutcome Outcome { get; } = outcome;
    public int? ExitCode { get; } = exitCode;
}
