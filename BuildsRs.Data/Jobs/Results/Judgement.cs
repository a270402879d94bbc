using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>How a result ends its job: the outcome and error recorded, and whether an infrastructure error may go back
/// to the queue for another try.</summary>
internal sealed record JobEnd(JobOutcome Outcome, string? Error, bool MayRetry);

/// <summary>A kind's say on a result: the end it makes of the job, or why it cannot count.</summary>
internal readonly record struct Judgement(JobEnd? End, string? DiscardedBecause)
{
    public static Judgement Ends(JobOutcome outcome, string? error, bool mayRetry = true) => new(new JobEnd(outcome, error, mayRetry), null);

    public static Judgement Discard(string reason) => new(null, reason);
}
