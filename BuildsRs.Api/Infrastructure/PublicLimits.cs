using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// What one client (its address; behind a proxy, the address the proxy forwards) may ask of the public endpoints that
/// cost the most: a token bucket per client and kind of request, which holds <see cref="ClientLimit.Burst"/> requests
/// and refills at <see cref="ClientLimit.PerMinute"/>. A client over its limit gets 429 with Retry-After, as problem
/// details; everyone else is served as before.
/// </summary>
public sealed class PublicLimits
{
    public const string SectionName = "RateLimits";

    public const string Search = "search";
    public const string Listings = "listings";
    public const string Queue = "queue";
    public const string Logs = "logs";
    public const string Downloads = "downloads";

    /// <summary>Crate search (<c>GET /api/v1/crates?q=</c>).</summary>
    [Required] public ClientLimit Searches { get; set; } = new() { Burst = 30, PerMinute = 120 };

    /// <summary>A crate's versions, the overview, the statistics, the fleet and the feeds.</summary>
    [Required] public ClientLimit Listing { get; set; } = new() { Burst = 60, PerMinute = 300 };

    /// <summary>The queue (<c>GET /api/v1/queue</c>).</summary>
    [Required] public ClientLimit Queued { get; set; } = new() { Burst = 30, PerMinute = 120 };

    /// <summary>A job's whole log and the opening of its live stream.</summary>
    [Required] public ClientLimit Log { get; set; } = new() { Burst = 30, PerMinute = 120 };

    /// <summary>Archives and their checksums, signatures, provenance and lockfiles (<c>/builds/...</c>).</summary>
    [Required] public ClientLimit Download { get; set; } = new() { Burst = 120, PerMinute = 600 };

    internal IEnumerable<(string Policy, ClientLimit Limit)> All =>
        [(Search, Searches), (Listings, Listing), (Queue, Queued), (Logs, Log), (Downloads, Download)];
}

public sealed class ClientLimit
{
    /// <summary>Requests a client may make at once after a quiet while.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; }

    /// <summary>Requests a client may make per minute in the long run.</summary>
    [Range(1, 60_000_000)]
    public int PerMinute { get; set; }
}

internal static class PublicLimitsExtensions
{
    public static void AddPublicLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublicLimits>().BindConfiguration(PublicLimits.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var limits = builder.Configuration.GetSection(PublicLimits.SectionName).Get<PublicLimits>() ?? new PublicLimits();
        builder.Services.AddRateLimiter(options =>
        {
            foreach (var (policy, limit) in limits.All)
            {
                options.AddPolicy(policy, http => RateLimitPartition.GetTokenBucketLimiter(ClientOf(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limit.Burst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / limit.PerMinute,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            }
            options.OnRejected = RejectAsync;
        });
    }

    /// <summary>The client a limit counts against: the connection's address, once the forwarded headers of a trusted
    /// proxy are applied (loopback by default; behind another proxy, ASPNETCORE_FORWARDEDHEADERS_ENABLED).</summary>
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>429 as problem details, with when to try again.</summary>
    public static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "public";
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        ApiTelemetry.RequestThrottled(policy);
        await WriteTooManyAsync(http, $"too many {policy} requests from {ClientOf(http)}: try again in {Math.Ceiling(retryAfter.TotalSeconds)} s", retryAfter);
    }

    public static Task WriteTooManyAsync(HttpContext http, string detail, TimeSpan retryAfter)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
    }
}
