using System.Net.Http.Headers;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>Uploads an artifact to the Api with the job's token, its size and its SHA-256, streaming from disk.</summary>
public sealed class ArtifactUploader(HttpClient http)
{
    public async Task UploadAsync(JobAssigned job, BuiltArtifact artifact, CancellationToken cancellationToken)
    {
        using var step = BuilderTelemetry.StartStep("upload");
        step.Activity?.SetTag("buildsrs.artifact.size", artifact.Size);
        await using var file = File.OpenRead(artifact.Path);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/jobs/{job.JobId}/artifacts/{Path.GetFileName(artifact.Path)}")
        {
            Content = new StreamContent(file),
        };
        request.Content.Headers.ContentLength = artifact.Size;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", job.UploadToken);
        request.Headers.Add("X-Artifact-Sha256", artifact.Sha256);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new JobFailedException(JobOutcome.InfrastructureError,
                $"the upload was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
