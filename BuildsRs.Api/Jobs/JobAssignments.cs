using System.Security.Cryptography;
using System.Text.Json;
using BuildsRs.Api.Builders;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data.Jobs;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Jobs;

/// <summary>Claims a job for a builder and says it in the protocol's words, with a fresh upload token.</summary>
internal sealed class JobAssignments(JobLifecycle lifecycle, IOptions<JobAssignmentOptions> options)
{
    public async Task<JobAssigned?> ClaimAsync(ConnectedBuilder builder, JobRequest request, CancellationToken cancellationToken)
    {
        // Only the hash is kept: whoever reads the database still cannot upload.
        var uploadToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        if (await lifecycle.ClaimAsync(builder.Id, builder.Targets, request.Kinds, UploadTokens.Hash(uploadToken), cancellationToken) is not { } claimed)
        {
            return null;
        }
        var job = claimed.Job;
        var crate = job.Version.Crate.Name;
        return new JobAssigned(job.Id, job.Kind, crate, job.Version.Version,
            new RegistryConfig { Dl = options.Value.DownloadUrl }.DownloadUrl(crate, job.Version.Version, job.Version.Checksum),
            job.Version.Checksum, job.Target, job.LeaseExpiresAt!.Value,
            job.Version.BuildSettings is { } settings ? JsonSerializer.Deserialize(settings, BuilderJsonContext.Default.BuildSettings) : null,
            uploadToken, claimed.TraceParent);
    }
}
