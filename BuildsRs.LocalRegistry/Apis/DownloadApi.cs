using BuildsRs.Contracts;
using BuildsRs.LocalRegistry.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.LocalRegistry.Apis;

public static class DownloadApi
{
    public static IEndpointRouteBuilder MapDownloadApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/v1/crates/{name}/{version}/download", [HttpMethods.Get, HttpMethods.Head], DownloadCrate);
        return app;
    }

    public static Results<PhysicalFileHttpResult, NotFound> DownloadCrate(string name, string version, RegistryStore store)
    {
        if (!CrateName.IsValid(name) || !VersionNumber.IsValid(version))
        {
            return TypedResults.NotFound();
        }
        var path = store.CratePath(name, version);
        return File.Exists(path)
            ? TypedResults.PhysicalFile(path, "application/gzip", $"{name}-{version}.crate")
            : TypedResults.NotFound();
    }
}
