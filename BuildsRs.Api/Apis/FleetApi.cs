using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>The builders anyone may see (names, targets, whether they are connected, what they work on) and the targets.</summary>
public static class FleetApi
{
    /// <summary>Builders heartbeat every 10 s: one not heard from for this long is not connected.</summary>
    public static readonly TimeSpan ConnectedWindow = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/builders", GetFleetAsync).WithTags("Builders").RequireRateLimiting(PublicLimits.Listings).WithSummary("The fleet, without keys or addresses.");
        app.MapGet("/api/v1/targets", async (BuildsRsDbContext db, CancellationToken ct) => (IReadOnlyList<TargetSetting>)await db.Targets
            .OrderBy(t => t.Triple).Select(t => new TargetSetting(t.Triple, t.Enabled)).ToListAsync(ct))
            .WithTags("Builders").WithSummary("The target triples binaries are built for (enabled) or were once.");
        return app;
    }

    public static async Task<IReadOnlyList<FleetBuilder>> GetFleetAsync(BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        // UtcNow in the query is the database's now(): last-seen times are written by its clock.
        var builders = await db.Builders.OrderBy(b => b.Name).ThenBy(b => b.Id)
            .Select(b => new { b.Id, b.Name, b.AllowedTargets, b.Enabled, b.LastSeenAt, Recent = b.LastSeenAt >= DateTimeOffset.UtcNow - ConnectedWindow })
            .ToListAsync(cancellationToken);
        var running = (await db.Jobs.Where(j => j.State == JobState.Running && j.BuilderId != null)
            .Select(j => new { j.BuilderId, j.Id }).ToListAsync(cancellationToken)).ToLookup(j => j.BuilderId!.Value, j => j.Id);
        return [.. builders.Select(b => new FleetBuilder(b.Name, b.AllowedTargets, b.Enabled, b.Enabled && b.Recent, b.LastSeenAt, [.. running[b.Id]]))];
    }
}
