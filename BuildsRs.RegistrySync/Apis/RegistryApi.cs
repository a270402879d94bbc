using BuildsRs.Contracts;
using BuildsRs.RegistrySync.Sync;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.RegistrySync.Apis;

/// <summary>On-demand work for operators: refresh named crates from the sparse index now, and confirm the removals of a
/// pass the removal guard held.</summary>
public static class RegistryApi
{
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/registry").RequireAuthorization(BearerTokens.Operator);
        api.MapPost("/refresh", RefreshCratesAsync);
        api.MapPost("/removals/confirm", ConfirmRemovals)
            .WithSummary("The removals of the pass the removal guard held are real: the next pass applies them (409 when none is held).");
        return app;
    }

    public static async Task<Results<Ok<SyncPassResult>, ValidationProblem, ProblemHttpResult>> RefreshCratesAsync(
        RefreshRequest? request, SparseIndexRefresh refresh, SyncStatus status, CancellationToken cancellationToken)
    {
        // A body that is missing, or JSON without the list, is the caller's mistake like a list that is wrong.
        var crates = request?.Crates ?? [];
        var invalid = crates.Where(name => !CrateName.IsValid(name)).ToList();
        if (crates.Count is 0 or > RefreshRequest.MaxCrates || invalid.Count > 0)
        {
            var reason = invalid.Count > 0
                ? $"Not valid crate names: {string.Join(", ", invalid.Take(10))}"
                : $"Name between 1 and {RefreshRequest.MaxCrates} crates: {{\"crates\": [\"name\", ...]}}.";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["crates"] = [reason] }, detail: reason);
        }
        try
        {
            return TypedResults.Ok(await refresh.RefreshAsync(crates, cancellationToken));
        }
        catch (Data.Bulk.RemovalsHeldException held)
        {
            status.Held(held);
            return TypedResults.Problem($"{held.Message}; POST /api/v1/registry/removals/confirm applies it", statusCode: StatusCodes.Status409Conflict);
        }
    }

    public static Results<Accepted, ProblemHttpResult> ConfirmRemovals(SyncStatus status) =>
        status.ConfirmRemovals()
            ? TypedResults.Accepted((string?)null)
            : TypedResults.Problem("no pass is held by the removal guard", statusCode: StatusCodes.Status409Conflict);
}

public sealed record RefreshRequest(IReadOnlyList<string> Crates)
{
    public const int MaxCrates = 1000;
}
