using BuildsRs.LocalRegistry.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace BuildsRs.LocalRegistry.Apis;

/// <summary>The sparse index, as crates.io serves it: <c>config.json</c> and one file per crate, with ETags.</summary>
public static class IndexApi
{
    public static IEndpointRouteBuilder MapIndexApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/index/{**path}", [HttpMethods.Get, HttpMethods.Head], GetIndexFileAsync);
        return app;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound>> GetIndexFileAsync(
        string path, HttpRequest request, RegistryStore store, CancellationToken cancellationToken)
    {
        var content = await store.ReadIndexFileAsync(path, cancellationToken);
        if (content is null)
        {
            return TypedResults.NotFound();
        }
        var etag = new EntityTagHeaderValue($"\"{RegistryStore.Sha256Hex(content)}\"");
        if (request.GetTypedHeaders().IfNoneMatch.Any(candidate => candidate.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var contentType = path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/plain";
        return TypedResults.File(content, contentType, entityTag: etag);
    }
}
