using System.Diagnostics;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>Runs an assigned job and turns whatever happens into a classified result.</summary>
public sealed partial class JobRunner(MetadataJob metadata, BinaryJob binary, ArtifactUploader uploader,
    Microsoft.Extensions.Options.IOptions<BuilderOptions> options, ILogger<JobRunner> logger)
{
    /// <param name="send">Sends a message to the Api (the job's log goes out while it runs).</param>
    public async Task<JobFinished> RunAsync(JobAssigned job, Func<BuilderMessage, Task> send, CancellationToken cancellationToken)
    {
        using var activity = BuilderTelemetry.StartJob(job.Kind, job.TraceParent);
        activity?.SetTag("buildsrs.job.id", job.JobId);
        activity?.SetTag("buildsrs.crate", $"{job.Crate} {job.Version}");
        activity?.SetTag("buildsrs.target", job.Target);
        var started = Stopwatch.GetTimestamp();
        var finished = await RunStepsAsync(job, send, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        activity?.SetTag("buildsrs.job.outcome", EnumText.Of(finished.Outcome));
        if (finished.Outcome != JobOutcome.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, finished.Error);
        }
        BuilderTelemetry.JobEnded(job.Kind, job.Target, finished.Outcome, elapsed);
        return finished with { DurationMs = (long)elapsed.TotalMilliseconds };
    }

    private async Task<JobFinished> RunStepsAsync(JobAssigned job, Func<BuilderMessage, Task> send, CancellationToken cancellationToken)
    {
        try
        {
            if (job.Kind is JobKind.Binary or JobKind.Verify)
            {
                var work = Path.Combine(options.Value.WorkDirectory, $"job-{job.JobId}-{Guid.NewGuid():N}");
                try
                {
                    BuiltArtifact artifact;
                    await using (var log = new JobLogBatcher(job.JobId, send))
                    {
                        artifact = await binary.RunAsync(job, work, log.AppendAsync, cancellationToken);
                    }
                    // A verify job only reports what it got; the Api compares it with the artifact it checks.
                    if (job.Kind == JobKind.Binary)
                    {
                        await uploader.UploadAsync(job, artifact, cancellationToken);
                    }
                    LogBuilt(logger, job.Crate, job.Version, job.Target ?? "", artifact.Size, artifact.Sha256);
                    return new JobFinished(job.JobId, JobOutcome.Succeeded, 0, 0, null, artifact.Binaries, null, artifact.Platform, artifact.Build);
                }
                finally
                {
                    RemoveWorkFolder(work);
                }
            }
            var (binaries, settings) = await metadata.RunAsync(job, cancellationToken);
            LogMetadata(logger, job.Crate, job.Version, binaries.Count);
            return new JobFinished(job.JobId, JobOutcome.Succeeded, 0, 0, null, binaries, settings);
        }
        catch (JobFailedException failure)
        {
            LogFailed(logger, job.Crate, job.Version, failure.Outcome, failure.Message);
            return new JobFinished(job.JobId, failure.Outcome, 0, failure.ExitCode, failure.Message, null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The Docker engine, the disk or the network failed us, not the crate: another try may work.
            LogFailed(logger, job.Crate, job.Version, JobOutcome.InfrastructureError, ex.Message);
            return new JobFinished(job.JobId, JobOutcome.InfrastructureError, 0, null, ex.Message, null, null);
        }
    }

    /// <summary>A folder that cannot be removed costs disk space, not the job's result.</summary>
    private void RemoveWorkFolder(string work)
    {
        try
        {
            WorkFolder.Remove(work);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWorkFolderLeft(logger, work, ex.Message);
        }
    }

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Could not remove the job folder {Folder}: {Reason}")]
    private static partial void LogWorkFolderLeft(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Metadata of {Crate} {Version}: {Binaries} binary targets")]
    private static partial void LogMetadata(ILogger logger, string crate, string version, int binaries);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Built {Crate} {Version} for {Target}: {Bytes} bytes, SHA-256 {Sha256}")]
    private static partial void LogBuilt(ILogger logger, string crate, string version, string target, long bytes, string sha256);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Job for {Crate} {Version} ended as {Outcome}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string crate, string version, JobOutcome outcome, string reason);
}
