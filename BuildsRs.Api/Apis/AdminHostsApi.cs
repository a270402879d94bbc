using BuildsRs.Api.Builders;
using BuildsRs.Contracts.Builders;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>
/// Builder hosts, the operator's unit of trust: each has its own enrollment token, its keys verify no artifact that
/// one of them made, and disabling it ends all of them at once.
/// </summary>
internal static class AdminHostsApi
{
    public static RouteGroupBuilder MapAdminHostsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/hosts", ListAsync).WithSummary("The builder hosts, with how many keys each has enrolled.");
        admin.MapPost("/hosts", AddAsync).WithSummary("Adds a builder host and answers its enrollment token, which is shown this once.");
        admin.MapPost("/hosts/{name}/disable", DisableAsync)
            .WithSummary("Disables a host: its token enrolls nothing, and every key it enrolled is out as if disabled one by one.");
        admin.MapPost("/hosts/{name}/enable", EnableAsync);
        admin.MapPost("/builders", EnrollAsync).WithSummary("Enrolls a builder's public key for the host it names.");
        return admin;
    }

    private static async Task<Ok<BuilderHostState[]>> ListAsync(BuildsRsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.BuilderHosts.OrderBy(h => h.Name)
            .Select(h => new BuilderHostState(h.Name, h.Enabled, h.Builders.Count, null)).ToArrayAsync(cancellationToken));

    private static async Task<Results<Created<BuilderHostState>, ProblemHttpResult>> AddAsync(NewBuilderHost request, BuildsRsDbContext db,
        CancellationToken cancellationToken)
    {
        if (ConfiguredBuilderHosts.InvalidName(request.Name) is { } invalid)
        {
            return ApiProblems.BadRequest(invalid);
        }
        if (await db.BuilderHosts.AnyAsync(h => h.Name == request.Name, cancellationToken))
        {
            return TypedResults.Problem($"a builder host named '{request.Name}' exists", statusCode: StatusCodes.Status409Conflict);
        }
        var token = BuilderHostTokens.NewToken();
        db.BuilderHosts.Add(new BuilderHost { Name = request.Name, TokenSha256 = BearerTokenHash.Of(token), Enabled = true });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/admin/hosts/{request.Name}", new BuilderHostState(request.Name, true, 0, token));
    }

    private static async Task<Results<NoContent, NotFound>> DisableAsync(string name, BuildsRsDbContext db, JobLifecycle lifecycle,
        BuilderConnections connections, CancellationToken cancellationToken)
    {
        if (await db.BuilderHosts.Where(h => h.Name == name).ExecuteUpdateAsync(h => h.SetProperty(x => x.Enabled, false), cancellationToken) == 0)
        {
            return TypedResults.NotFound();
        }
        foreach (var id in await db.Builders.Where(b => b.Host.Name == name).Select(b => b.Id).ToListAsync(cancellationToken))
        {
            connections.Disconnect(id);
            await lifecycle.ReleaseJobsOfDisabledAsync(id, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> EnableAsync(string name, BuildsRsDbContext db, CancellationToken cancellationToken) =>
        await db.BuilderHosts.Where(h => h.Name == name).ExecuteUpdateAsync(h => h.SetProperty(x => x.Enabled, true), cancellationToken) == 0
            ? TypedResults.NotFound()
            : TypedResults.NoContent();

    private static async Task<Results<Ok<EnrollResponse>, ValidationProblem>> EnrollAsync(EnrollRequest request, BuildsRsDbContext db,
        CancellationToken cancellationToken) =>
        await db.BuilderHosts.SingleOrDefaultAsync(h => h.Name == request.Host, cancellationToken) is { } host
            ? await BuildersApi.EnrollKeyAsync(request, host, db, cancellationToken)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["host"] = ["The name of a known builder host is required (POST /api/v1/admin/hosts adds one)."] });
}
