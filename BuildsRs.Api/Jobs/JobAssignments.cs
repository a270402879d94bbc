using System.Security.Cryptography;
using System.Text.Json;
using BuildsRs.Api.Builders;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Jobs;

/// <summary>Claims a job for a builder and says it in the protocol's words, with a fresh upload token and the inputs
/// that make a build repeatable: the version's lockfile once it has one, and for a verify job the image that made the
/// artifact.</summary>
internal sealed class JobAssignments(JobLifecycle lifecycle, BuildsRsDbContext db, IOptions<JobAssignmentOptions> options)
{
    /// <summary>Up to <see cref="JobRequest.Count"/> jobs for the builder, each with its own upload token.</summary>
    public async Task<IReadOnlyList<JobAssigned>> ClaimAsync(ConnectedBuilder builder, JobRequest request, CancellationToken cancellationToken)
    {
        var uploadTokens = Enumerable.Range(0, request.Count).Select(_ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).ToList();
        // Only the hashes are kept: whoever reads the database still cannot upload.
        var claimed = await lifecycle.ClaimAsync(builder.Id, builder.Targets, request.Kinds, [.. uploadTokens.Select(UploadTokens.Hash)], cancellationToken,
            builder.Capacity);
        var assigned = new List<JobAssigned>(claimed.Count);
        foreach (var (job, uploadToken) in claimed.Zip(uploadTokens))
        {
            var (lockfile, image) = await InputsAsync(job, cancellationToken);
            assigned.Add(new JobAssigned(job.Id, job.Kind, job.Crate, job.Version,
                new RegistryConfig { Dl = options.Value.DownloadUrl }.DownloadUrl(job.Crate, job.Version, job.Checksum),
                job.Checksum, job.Target, job.LeaseExpiresAt,
                job.BuildSettings is { } settings ? JsonSerializer.Deserialize(settings, BuilderJsonContext.Default.BuildSettings) : null,
                uploadToken, job.TraceParent, lockfile, job.PublishedAt?.ToUnixTimeSeconds() ?? 0, image, request.RequestId));
        }
        return assigned;
    }

    private async Task<(string? Lockfile, string? Image)> InputsAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        if (job.Kind == JobKind.Verify)
        {
            var made = await db.Artifacts.Where(a => a.Id == job.ArtifactId)
                .Select(a => new { a.Job.BuilderImage, a.Job.LockfileSha256 }).SingleAsync(cancellationToken);
            var known = await db.Targets.Where(t => t.Triple == job.Target).Select(t => t.Images).SingleAsync(cancellationToken);
            // The rebuild runs in the image that made the artifact when the Api knows it for the target; an image only
            // the first builder claims to have is not one to trust, so the rebuild runs in a known one and the
            // comparison says whether the bytes agree.
            var image = known.Contains(made.BuilderImage) ? made.BuilderImage : known.FirstOrDefault();
            return (await LockfileAsync(made.LockfileSha256, cancellationToken), image);
        }
        if (job.Kind == JobKind.Binary)
        {
            // Whichever build of this version came first fixed its dependencies for every later one.
            var used = await db.Jobs.Where(j => j.VersionId == job.VersionId && j.Kind == JobKind.Binary && j.State == JobState.Succeeded && j.LockfileSha256 != null)
                .OrderBy(j => j.FinishedAt).Select(j => j.LockfileSha256).FirstOrDefaultAsync(cancellationToken);
            return (await LockfileAsync(used, cancellationToken), null);
        }
        return (null, null);
    }

    private async Task<string?> LockfileAsync(string? sha256, CancellationToken cancellationToken) => sha256 is null
        ? null
        : await db.Lockfiles.Where(l => l.Sha256 == sha256).Select(l => l.Content).SingleAsync(cancellationToken);
}
