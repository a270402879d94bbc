using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using BuildsRs.Data;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builders;

/// <summary>
/// A builder host's enrollment token: stored only as its hash, valid while the host is enabled, and it enrolls keys
/// for that host alone (the identity carries the host's id).
/// </summary>
internal sealed class BuilderHostTokens : IBearerTokenValidator
{
    public const string HostIdClaim = "builder_host_id";
    private const int TokenBytes = 32;

    /// <summary>A new host's token: random, URL-safe, shown once.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(TokenBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The host id of an enroller's identity.</summary>
    public static long HostOf(ClaimsPrincipal user) => long.Parse(user.FindFirstValue(HostIdClaim)!, CultureInfo.InvariantCulture);

    public async ValueTask<ClaimsIdentity?> ValidateAsync(string token, HttpContext context)
    {
        var hash = BearerTokenHash.Of(token);
        var db = context.RequestServices.GetRequiredService<BuildsRsDbContext>();
        var host = await db.BuilderHosts.Where(h => h.TokenSha256 == hash && h.Enabled).Select(h => (long?)h.Id).SingleOrDefaultAsync(context.RequestAborted);
        return host is { } id
            ? BearerTokenIdentity.Of(BearerTokens.Enroller, new Claim(HostIdClaim, id.ToString(CultureInfo.InvariantCulture)))
            : null;
    }
}
