using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>A builder is only useful with an engine that answers and the build image at hand.</summary>
internal sealed class DockerEngineHealthCheck(IDockerClient docker, IOptions<BuilderOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var image = options.Value.Image;
        try
        {
            await docker.System.PingAsync(cancellationToken);
            var inspected = await docker.Images.InspectImageAsync(image, cancellationToken);
            return HealthCheckResult.Healthy($"{image} ({inspected.ID})");
        }
        catch (DockerImageNotFoundException)
        {
            return HealthCheckResult.Unhealthy($"The build image {image} is not in the Docker engine; run provisioning/provision.sh.");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The Docker engine at {options.Value.DockerEndpoint} does not answer: {ex.Message}", ex);
        }
    }
}
