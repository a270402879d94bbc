using System.Security.Claims;
using BuildsRs.Api.Builders;
using BuildsRs.ServiceDefaults.Authentication;
using BuildsRs.Contracts.Builders;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>Builders join the fleet: enrollment of a key and the authenticated WebSocket.</summary>
public static class BuildersApi
{
    private const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapBuildersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/builders/enroll", EnrollAsync).RequireAuthorization(BearerTokens.Enroller);
        app.Map("/api/v1/builders/connect", (HttpContext context, BuilderConnectionHandler handler) => handler.HandleAsync(context));

        return app;
    }

    public static async Task<Results<Ok<EnrollResponse>, ValidationProblem>> EnrollAsync(EnrollRequest request, ClaimsPrincipal user,
        BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var host = await db.BuilderHosts.SingleAsync(h => h.Id == BuilderHostTokens.HostOf(user), cancellationToken);
        return request.Host is not null && request.Host != host.Name
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["host"] = [$"This token enrolls keys of host '{host.Name}' only."] })
            : await EnrollKeyAsync(request, host, db, cancellationToken);
    }

    /// <summary>Registers a builder's key for <paramref name="host"/> (idempotent: a known key keeps its record, and
    /// gains the targets it now offers). A key belongs to one host for good: another host cannot take it over.</summary>
    internal static async Task<Results<Ok<EnrollResponse>, ValidationProblem>> EnrollKeyAsync(
        EnrollRequest request, BuilderHost host, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength)
        {
            errors["name"] = [$"A name of 1 to {MaxNameLength} characters is required."];
        }
        var publicKey = PublicKey(request.PublicKey);
        if (publicKey is null)
        {
            errors["public_key"] = ["An ECDSA P-256 public key (SubjectPublicKeyInfo, DER, base64) is required."];
        }
        var unknownTargets = request.Targets.Except(await db.Targets.Select(t => t.Triple).ToListAsync(cancellationToken)).ToList();
        if (unknownTargets.Count > 0)
        {
            errors["targets"] = [$"Unknown targets: {string.Join(", ", unknownTargets)}"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var fingerprint = BuilderSignature.Fingerprint(publicKey!);
        var builder = await db.Builders.SingleOrDefaultAsync(b => b.Fingerprint == fingerprint, cancellationToken);
        if (builder is null)
        {
            builder = new RegisteredBuilder
            {
                Name = request.Name, PublicKey = publicKey!, Fingerprint = fingerprint, Enabled = true, AllowedTargets = [.. request.Targets],
                HostId = host.Id,
            };
            db.Builders.Add(builder);
            await db.SaveChangesAsync(cancellationToken);
        }
        else if (builder.HostId != host.Id)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["public_key"] = ["This key is enrolled for another builder host."] });
        }
        else if (request.Targets.Except(builder.AllowedTargets).Any())
        {
            // A builder that was given the images of more targets offers them from its next enrollment on.
            builder.AllowedTargets = [.. builder.AllowedTargets.Union(request.Targets)];
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(new EnrollResponse(builder.Name, builder.Fingerprint, builder.Enabled, host.Name));
    }

    /// <summary>The key's DER bytes if it is a P-256 public key, else null.</summary>
    private static byte[]? PublicKey(string? base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64 ?? "");
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(bytes, out var read);
            return read == bytes.Length && key.KeySize == 256 ? bytes : null;
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
