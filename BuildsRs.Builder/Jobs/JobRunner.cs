using System.Diagnostics;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Builder.Jobs;

/// <summary>Runs an assigned job and turns whatever happens into a classified result.</summary>
public sealed partial class JobRunner(MetadataJob metadata, ILogger<JobRunner> logger)
{
    public const string ActivitySourceName = "BuildsRs.Builder";
    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>The job kinds this builder takes.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["metadata"];

    public async Task<JobFinished> RunAsync(JobAssigned job, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity($"Run {job.Kind} job");
        activity?.SetTag("buildsrs.job.id", job.JobId);
        activity?.SetTag("buildsrs.crate", $"{job.Crate} {job.Version}");
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            if (job.Kind != "metadata")
            {
                throw new JobFailedException(JobOutcomes.InfrastructureError, $"this builder does not run {job.Kind} jobs");
            }
            var (binaries, settings) = await metadata.RunAsync(job, cancellationToken);
            LogMetadata(logger, job.Crate, job.Version, binaries.Count);
            return new JobFinished(job.JobId, JobOutcomes.Succeeded, Elapsed(), 0, null, binaries, settings);
        }
        catch (JobFailedException failure)
        {
            LogFailed(logger, job.Crate, job.Version, failure.Outcome, failure.Message);
            return new JobFinished(job.JobId, failure.Outcome, Elapsed(), failure.ExitCode, failure.Message, null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The Docker engine, the disk or the network failed us, not the crate: another try may work.
            LogFailed(logger, job.Crate, job.Version, JobOutcomes.InfrastructureError, ex.Message);
            return new JobFinished(job.JobId, JobOutcomes.InfrastructureError, Elapsed(), null, ex.Message, null, null);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Metadata of {Crate} {Version}: {Binaries} binary targets")]
    private static partial void LogMetadata(ILogger logger, string crate, string version, int binaries);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Job for {Crate} {Version} ended as {Outcome}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string crate, string version, string outcome, string reason);
}
