using BuildsRs.Contracts;
using BuildsRs.RegistrySync.Sync;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.RegistrySync.Apis;

/// <summary>On-demand work for operators: refresh named crates from the sparse index now.</summary>
public static class RegistryApi
{
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/registry").RequireAuthorization(BearerTokens.Operator);
        api.MapPost("/refresh", RefreshCratesAsync);
        return app;
    }

    public static async Task<Results<Ok<SyncPassResult>, ValidationProblem>> RefreshCratesAsync(
        RefreshRequest request, SparseIndexRefresh refresh, CancellationToken cancellationToken)
    {
        var invalid = request.Crates.Where(name => !CrateName.IsValid(name)).ToList();
        if (request.Crates.Count is 0 or > RefreshRequest.MaxCrates || invalid.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["crates"] = invalid.Count > 0
                    ? [$"Not valid crate names: {string.Join(", ", invalid.Take(10))}"]
                    : [$"Name between 1 and {RefreshRequest.MaxCrates} crates."],
            });
        }
        return TypedResults.Ok(await refresh.RefreshAsync(request.Crates, cancellationToken));
    }
}

public sealed record RefreshRequest(IReadOnlyList<string> Crates)
{
    public const int MaxCrates = 1000;
}
