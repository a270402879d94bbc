using System.Security.Cryptography;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Storage;
using BuildsRs.Api.Trust;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>
/// <c>PUT /api/v1/jobs/{id}/artifacts/{file}</c>: a builder uploads its artifact with the job's upload token (the
/// <see cref="BearerTokens.Uploader"/> policy), the
/// declared size (Content-Length) and SHA-256 (<c>X-Artifact-Sha256</c>). The body is streamed to disk while it is
/// hashed, never held in memory; only a complete, matching upload is stored, signed (<see cref="ArtifactSigner"/>) and
/// recorded.
/// </summary>
public static class ArtifactUploadApi
{
    public const long MaxArtifactBytes = 512L * 1024 * 1024;
    public const string Sha256Header = "X-Artifact-Sha256";

    public static IEndpointRouteBuilder MapArtifactUploadApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/v1/jobs/{jobId:long}/artifacts/{file}", UploadAsync).RequireAuthorization(BearerTokens.Uploader);
        return app;
    }

    public static async Task<Results<Created, ProblemHttpResult>> UploadAsync(
        long jobId, string file, HttpRequest request, BuildsRsDbContext db, JobLifecycle lifecycle, IArtifactStore store, ArtifactSigner signer,
        CancellationToken cancellationToken)
    {
        var job = await db.Jobs.Include(j => j.Version).ThenInclude(v => v.Crate).SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is not { State: JobState.Running })
        {
            // Its token was valid a moment ago: the job ended (a result or a cancel) while the upload began.
            return Problem(StatusCodes.Status409Conflict, "the job is no longer running");
        }
        var expectedName = ArtifactNames.Archive(job.Version.Crate.Name, job.Version.Version, job.Target ?? "");
        if (job.Kind != JobKind.Binary || file != expectedName)
        {
            return Problem(StatusCodes.Status400BadRequest, $"this job's artifact is named {expectedName}");
        }
        var declaredHash = request.Headers[Sha256Header].ToString();
        if (declaredHash.Length != 64 || !declaredHash.All(char.IsAsciiHexDigitLower))
        {
            return Problem(StatusCodes.Status400BadRequest, $"the {Sha256Header} header must be the lower-case hex SHA-256 of the body");
        }
        if (request.ContentLength is not { } length || length > MaxArtifactBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"an artifact needs a Content-Length of at most {MaxArtifactBytes} bytes");
        }
        if (await db.Artifacts.AnyAsync(a => a.JobId == jobId && a.FileName == file, cancellationToken))
        {
            return Problem(StatusCodes.Status409Conflict, "this artifact is already stored");
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxArtifactBytes;
        }

        var temporary = Path.Combine(Path.GetTempPath(), $"buildsrs-upload-{Guid.NewGuid():N}");
        try
        {
            long received;
            string actualHash;
            await using (var spool = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose))
            {
                using var verify = ApiTelemetry.Source.StartActivity("Verify upload");
                verify?.SetTag("buildsrs.job.id", jobId);
                verify?.SetTag("buildsrs.artifact.size", length);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                // minisign signs the BLAKE2b-512 of the file: it is taken on the same pass.
                NSec.Cryptography.IncrementalHash.Initialize(NSec.Cryptography.HashAlgorithm.Blake2b_512, out var blake2b);
                var buffer = new byte[1 << 16];
                received = 0;
                int read;
                while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    received += read;
                    if (received > length)
                    {
                        return Problem(StatusCodes.Status400BadRequest, "the body is longer than its Content-Length");
                    }
                    hash.AppendData(buffer, 0, read);
                    NSec.Cryptography.IncrementalHash.Update(ref blake2b, buffer.AsSpan(0, read));
                    await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                actualHash = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (received != length)
                {
                    return Problem(StatusCodes.Status400BadRequest, $"received {received} bytes, {length} declared");
                }
                if (actualHash != declaredHash)
                {
                    return Problem(StatusCodes.Status400BadRequest, $"the body's SHA-256 is {actualHash}, {declaredHash} declared");
                }
                verify?.Stop();
                spool.Position = 0;
                var key = ArtifactNames.StorageKey(job.Version.Crate.Name, job.Version.Version, job.Target!, job.Attempt, actualHash, file);
                try
                {
                    await store.PutAsync(key, spool, length, actualHash, cancellationToken);
                }
                catch (IOException ex)
                {
                    // Not the builder's fault: it reports an infrastructure error and the job is tried again.
                    return Problem(StatusCodes.Status503ServiceUnavailable, ex.Message);
                }
                var signature = signer.Sign(NSec.Cryptography.IncrementalHash.Finalize(ref blake2b),
                    $"file:{file}\tcrate:{job.Version.Crate.Name}\tversion:{job.Version.Version}\ttarget:{job.Target}\tsha256:{actualHash}");
                switch (await lifecycle.RecordArtifactAsync(jobId, file, key, length, actualHash, signature, cancellationToken))
                {
                    case ArtifactRecording.JobEnded:
                        return Problem(StatusCodes.Status409Conflict, "the job ended while its artifact arrived");
                    case ArtifactRecording.AlreadyRecorded:
                        // Another upload for this job was recorded first. Its bytes live under their own key; these
                        // go, unless they are the same bytes (the same key), which the record then describes.
                        if (!await db.Artifacts.AnyAsync(a => a.StorageKey == key, cancellationToken))
                        {
                            await store.DeleteAsync(key, CancellationToken.None);
                        }
                        return Problem(StatusCodes.Status409Conflict, "this artifact is already stored");
                }
                ApiTelemetry.Uploaded(length, job.Target!);
            }
            return TypedResults.Created($"/api/v1/jobs/{jobId}/artifacts/{file}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"an artifact is at most {MaxArtifactBytes} bytes");
        }
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
