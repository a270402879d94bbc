using System.Security.Claims;
using System.Security.Cryptography;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Jobs;

/// <summary>
/// A job's upload token: handed to the builder that claims the job, stored only as its hash, and valid for the routes of
/// that job (<c>{jobId}</c>) while it runs.
/// </summary>
internal sealed class UploadTokens : IBearerTokenValidator
{
    public const string JobIdClaim = "job_id";

    public static byte[] Hash(string token) => BearerTokenHash.Of(token);

    public async ValueTask<ClaimsIdentity?> ValidateAsync(string token, HttpContext context)
    {
        if (!long.TryParse(context.GetRouteValue("jobId") as string, out var jobId))
        {
            return null;
        }
        var db = context.RequestServices.GetRequiredService<BuildsRsDbContext>();
        var expected = await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Running).Select(j => j.UploadTokenHash)
            .SingleOrDefaultAsync(context.RequestAborted);
        return expected is not null && CryptographicOperations.FixedTimeEquals(Hash(token), expected)
            ? BearerTokenIdentity.Of(BearerTokens.Uploader, new Claim(JobIdClaim, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : null;
    }
}
