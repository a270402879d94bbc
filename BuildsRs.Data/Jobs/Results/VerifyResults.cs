using System.Diagnostics;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>
/// A verify job's result: another host's rebuild of an artifact, in an image the Api knows for the target. Once it ends
/// for good (not on an infrastructure error), it is recorded as a verification that reproduced the artifact or not.
/// </summary>
internal sealed class VerifyResults(BuildsRsDbContext db) : ResultRecorder
{
    public override async Task<Judgement> JudgeAsync(HeldJob job, JobFinished finished, CancellationToken cancellationToken)
    {
        var makerHostId = await db.Artifacts.Where(a => a.Id == job.ArtifactId).Select(a => a.Job.Builder!.HostId).SingleAsync(cancellationToken);
        if (makerHostId == job.HostId)
        {
            return Judgement.Discard("a builder host cannot verify an artifact it made itself");
        }
        if (finished.Build is { } rebuild && !await db.Targets.AnyAsync(t => t.Triple == job.Target && t.Images.Contains(rebuild.Image), cancellationToken))
        {
            return Judgement.Discard($"the rebuild ran in {rebuild.Image}, which is not an image the Api knows for {job.Target}");
        }
        return Judgement.Ends(finished.Outcome, finished.Error);
    }

    public override async Task FollowAsync(HeldJob job, JobFinished finished, JobEnd end, CancellationToken cancellationToken)
    {
        if (end.Outcome == JobOutcome.InfrastructureError)
        {
            return;
        }
        var verified = await db.Artifacts.AsNoTracking().Where(a => a.Id == job.ArtifactId).Select(a => new { a.Id, a.Sha256, a.Binaries })
            .SingleAsync(cancellationToken);
        var succeeded = end.Outcome == JobOutcome.Succeeded;
        var (reproduced, differences) = succeeded
            ? BuildRecords.Compare(verified.Sha256, verified.Binaries, finished.Build!)
            : (false, BuildRecords.Failed(end.Outcome, end.Error));
        db.ArtifactVerifications.Add(new ArtifactVerification
        {
            ArtifactId = verified.Id, JobId = job.Id, BuilderId = job.BuilderId, Reproduced = reproduced,
            ArchiveSha256 = succeeded ? finished.Build!.ArchiveSha256 : null, Differences = differences,
        });
        await db.SaveChangesAsync(cancellationToken);
        Activity.Current?.SetTag("buildsrs.verify.reproduced", reproduced);
        JobTelemetry.Verified(job.Target, reproduced);
    }
}
