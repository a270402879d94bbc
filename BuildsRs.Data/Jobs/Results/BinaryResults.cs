using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>
/// A binary job's result. A success counts only with the archive it uploaded, named by its build record; the archive
/// then gets the platform and binaries the builder read from it, and a share of successes is queued to be built again
/// by another host.
/// </summary>
internal sealed class BinaryResults(BuildsRsDbContext db, JobLifecycleOptions options) : ResultRecorder
{
    public override async Task<Judgement> JudgeAsync(HeldJob job, JobFinished finished, CancellationToken cancellationToken)
    {
        if (finished.Outcome != JobOutcome.Succeeded)
        {
            return Judgement.Ends(finished.Outcome, finished.Error);
        }
        var archives = await db.Artifacts.Where(a => a.JobId == job.Id).Select(a => a.Sha256).ToListAsync(cancellationToken);
        if (archives.Count == 0)
        {
            // A builder that does not keep the protocol: another try of the same builder would not mend it.
            return Judgement.Ends(JobOutcome.InfrastructureError, "reported success without an uploaded artifact", mayRetry: false);
        }
        return archives.Contains(finished.Build!.ArchiveSha256)
            ? Judgement.Ends(JobOutcome.Succeeded, finished.Error)
            : Judgement.Discard("the build record names another archive than the one uploaded");
    }

    public override async Task FollowAsync(HeldJob job, JobFinished finished, JobEnd end, CancellationToken cancellationToken)
    {
        if (end.Outcome != JobOutcome.Succeeded)
        {
            return;
        }
        var (platform, binaries) = (finished.Platform, BuildRecords.BinariesJson(finished.Build!));
        await db.Artifacts.Where(a => a.JobId == job.Id).ExecuteUpdateAsync(a => a
            .SetProperty(x => x.Machine, platform == null ? null : platform.Machine)
            .SetProperty(x => x.Linkage, platform == null ? null : platform.Linkage)
            .SetProperty(x => x.GlibcFloor, platform == null ? null : platform.Glibc)
            .SetProperty(x => x.Subsystem, platform == null ? null : platform.Subsystem)
            .SetProperty(x => x.Dlls, platform == null || platform.Dlls == null ? null : platform.Dlls.ToArray())
            .SetProperty(x => x.Binaries, binaries), cancellationToken);
        if (Random.Shared.NextDouble() < options.VerifyShare)
        {
            await db.Database.ExecuteSqlRawAsync(JobLifecycleSql.QueueVerify,
                [new NpgsqlParameter("job", job.Id), new NpgsqlParameter("priority", options.VerifyPriority), JobLifecycle.TraceParentParameter()],
                cancellationToken);
        }
    }
}
