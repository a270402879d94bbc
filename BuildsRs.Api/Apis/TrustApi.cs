using BuildsRs.Api.Trust;
using BuildsRs.Contracts.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.Api.Apis;

/// <summary>The keys that sign artifacts: the public key at a stable address (as minisign reads it), and every key with
/// its id, the retired ones too.</summary>
public static class TrustApi
{
    public static IEndpointRouteBuilder MapTrustApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signing-key.pub", (ArtifactSigner signer) => TypedResults.Text(signer.PublicKeyFile, "text/plain; charset=utf-8"))
            .WithTags("Downloads").WithSummary("The public key that signs every artifact, as minisign reads it (minisign -Vm FILE -p signing-key.pub).");
        app.MapGet("/api/v1/signing-keys", GetKeys).WithTags("Downloads").WithSummary("The current signing key and the retired ones.");
        return app;
    }

    public static Ok<SigningKeys> GetKeys(ArtifactSigner signer) => TypedResults.Ok(new SigningKeys(
        new SigningKey(signer.KeyId, signer.PublicKey),
        [.. signer.Retired.Select(key => new SigningKey(MinisignKeys.IdOf(key), key))]));
}
