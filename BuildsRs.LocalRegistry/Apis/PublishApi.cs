using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Registry;
using BuildsRs.LocalRegistry.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BuildsRs.LocalRegistry.Apis;

/// <summary>
/// cargo's publish API (https://doc.rust-lang.org/cargo/reference/registry-web-api.html): publish, yank, unyank, all
/// requiring the registry token; plus removing a version from the index, as an operator of crates.io can.
/// </summary>
public static class PublishApi
{
    public static IEndpointRouteBuilder MapPublishApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/crates").AddEndpointFilter(RequireTokenAsync);
        api.MapPut("/new", PublishAsync);
        api.MapDelete("/{name}/{version}/yank", (string name, string version, RegistryStore store, CancellationToken ct) =>
            ChangeAsync(store, name, version, line => line with { Yanked = true }, $"Yank {name} {version}", ct));
        api.MapPut("/{name}/{version}/unyank", (string name, string version, RegistryStore store, CancellationToken ct) =>
            ChangeAsync(store, name, version, line => line with { Yanked = false }, $"Unyank {name} {version}", ct));
        api.MapDelete("/{name}/{version}", (string name, string version, RegistryStore store, CancellationToken ct) =>
            ChangeAsync(store, name, version, _ => null, $"Delete {name} {version}", ct));
        return app;
    }

    public static async Task<Results<Ok<PublishResponse>, JsonHttpResult<CargoErrors>>> PublishAsync(
        HttpRequest request, RegistryStore store, IOptions<LocalRegistryOptions> options, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxCrateBytes + 1024 * 1024;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        if (request.ContentLength > limit)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limit} bytes");
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var bytes = body.ToArray();
        if (!TryReadPart(bytes, 0, out var json, out var next) || !TryReadPart(bytes, next, out var crate, out var end) || end != bytes.Length)
        {
            return Error(StatusCodes.Status400BadRequest, "the body is not a cargo publish request (length-prefixed JSON and .crate)");
        }
        if (crate.Length > options.Value.MaxCrateBytes)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"the .crate is larger than {options.Value.MaxCrateBytes} bytes");
        }

        PublishMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize(json, PublishJsonContext.Default.PublishMetadata);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, $"the metadata is not valid JSON: {ex.Message}");
        }
        if (metadata is not { Name: { } name, Vers: { } vers } || !CrateName.IsValid(name) || !VersionNumber.IsValid(vers))
        {
            return Error(StatusCodes.Status400BadRequest, "the metadata needs a valid crate name and semantic version");
        }

        var line = IndexLines.Create(name, vers,
            (metadata.Deps ?? []).Select(d => new IndexDependency
            {
                Name = d.ExplicitNameInToml ?? d.Name,
                Package = d.ExplicitNameInToml is null ? null : d.Name,
                Req = d.VersionReq,
                Features = d.Features,
                Optional = d.Optional,
                DefaultFeatures = d.DefaultFeatures,
                Target = d.Target,
                Kind = d.Kind ?? "normal",
                Registry = d.Registry,
            }),
            metadata.Features ?? [], metadata.Links, metadata.RustVersion, DateTimeOffset.UtcNow) with { Cksum = RegistryStore.Sha256Hex(crate) };
        try
        {
            await store.PublishAsync(line, crate, cancellationToken);
        }
        catch (RegistryConflictException ex)
        {
            return Error(StatusCodes.Status409Conflict, ex.Message);
        }
        return TypedResults.Ok(new PublishResponse(new PublishWarnings([], [], [])));
    }

    private static async Task<Results<Ok<OkResponse>, JsonHttpResult<CargoErrors>>> ChangeAsync(
        RegistryStore store, string name, string version, Func<IndexLine, IndexLine?> change, string message, CancellationToken cancellationToken)
    {
        if (!CrateName.IsValid(name))
        {
            return Error(StatusCodes.Status400BadRequest, $"'{name}' is not a crate name");
        }
        return await store.ChangeVersionAsync(name, version, change, message, cancellationToken)
            ? TypedResults.Ok(new OkResponse(true))
            : Error(StatusCodes.Status404NotFound, $"{name} {version} is not in the index");
    }

    private static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<LocalRegistryOptions>>().Value.PublishToken;
        var presented = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
        {
            return Error(StatusCodes.Status403Forbidden, "a valid registry token is required");
        }
        return await next(context);
    }

    private static JsonHttpResult<CargoErrors> Error(int status, string detail) =>
        TypedResults.Json(CargoErrors.Of(detail), PublishJsonContext.Default.CargoErrors, statusCode: status);

    /// <summary>Reads one part of the body: a little-endian u32 length, then that many bytes.</summary>
    private static bool TryReadPart(byte[] body, int offset, out byte[] part, out int next)
    {
        part = [];
        next = offset;
        if (body.Length - offset < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(offset, 4));
        if (length > body.Length - offset - 4)
        {
            return false;
        }
        part = body.AsSpan(offset + 4, (int)length).ToArray();
        next = offset + 4 + (int)length;
        return true;
    }
}
