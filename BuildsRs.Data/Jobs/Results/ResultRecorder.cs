using BuildsRs.Contracts.Builders;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>
/// What one kind of job adds to recording a result. <see cref="JobLifecycle"/> does what every kind shares: the job
/// held and locked, the end or the requeue, the build record, the telemetry.
/// </summary>
internal abstract class ResultRecorder
{
    /// <summary>Checks the result against what this kind needs and says how it ends the job. Changes nothing.</summary>
    public abstract Task<Judgement> JudgeAsync(HeldJob job, JobFinished finished, CancellationToken cancellationToken);

    /// <summary>What follows once the job has ended for good (not when it went back to the queue).</summary>
    public virtual Task FollowAsync(HeldJob job, JobFinished finished, JobEnd end, CancellationToken cancellationToken) => Task.CompletedTask;
}
