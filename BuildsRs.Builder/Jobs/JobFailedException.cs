using BuildsRs.Contracts.Builders;

namespace BuildsRs.Builder.Jobs;

/// <summary>A job ended without success, classified (<see cref="JobOutcomes"/>).</summary>
public sealed class JobFailedException(string outcome, string message, int? exitCode = null) : Exception(message)
{
    public string Outcome { get; } = outcome;
    public int? ExitCode { get; } = exitCode;
}
