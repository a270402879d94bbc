using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>A builder is only useful with an engine that answers and a build image at hand.</summary>
internal sealed class DockerEngineHealthCheck(IDockerClient docker, BuildImages images, IOptions<BuilderOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await docker.System.PingAsync(cancellationToken);
            var (present, missing) = await images.InspectAsync(cancellationToken);
            var description = $"builds {string.Join(", ", present)}" + (missing.Count > 0 ? $"; no image for {string.Join(", ", missing)}" : "");
            return present.Count > 0
                ? HealthCheckResult.Healthy(description)
                : HealthCheckResult.Unhealthy($"No build image is in the Docker engine ({string.Join(", ", options.Value.Images.Values)}); run provisioning/provision.sh.");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The Docker engine at {options.Value.DockerEndpoint} does not answer: {ex.Message}", ex);
        }
    }
}
