using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// The build image of each target (<see cref="BuilderOptions.Images"/>), and which of them this builder's engine
/// has: the builder offers exactly those targets, so a host that lacks a cross image still builds the rest.
/// </summary>
public sealed partial class BuildImages(IDockerClient docker, IOptions<BuilderOptions> options, ILogger<BuildImages> logger)
{
    private volatile IReadOnlyList<string> offered = [];

    /// <summary>The targets whose images the engine has, and those it lacks, in ordinal order.</summary>
    public async Task<(IReadOnlyList<string> Present, IReadOnlyList<string> Missing)> InspectAsync(CancellationToken cancellationToken)
    {
        var (present, missing) = (new List<string>(), new List<string>());
        foreach (var (target, image) in options.Value.Images.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            try
            {
                await docker.Images.InspectImageAsync(image, cancellationToken);
                present.Add(target);
            }
            catch (DockerImageNotFoundException)
            {
                missing.Add(target);
            }
        }
        return (present, missing);
    }

    /// <summary>The targets to offer the Api now; fails when the engine has none of the images.</summary>
    public async Task<IReadOnlyList<string>> FindPresentTargetsAsync(CancellationToken cancellationToken)
    {
        var (present, missing) = await InspectAsync(cancellationToken);
        foreach (var target in missing)
        {
            LogImageMissing(logger, For(target), target);
        }
        if (present.Count == 0)
        {
            throw new InvalidOperationException(
                $"none of the build images ({string.Join(", ", options.Value.Images.Values)}) is in the Docker engine; run provisioning/provision.sh");
        }
        offered = present;
        return present;
    }

    /// <summary>The image a job for <paramref name="target"/> builds in.</summary>
    public string For(string target) => options.Value.Images[target];

    /// <summary>The image a build for <paramref name="target"/> runs in, by its ID: <paramref name="required"/> when a
    /// verify job names the image that made its artifact (the engine must have that very image), else the target's.</summary>
    public async Task<string> IdForAsync(string target, string? required, CancellationToken cancellationToken)
    {
        try
        {
            return (await docker.Images.InspectImageAsync(required ?? For(target), cancellationToken)).ID;
        }
        catch (DockerImageNotFoundException) when (required is not null)
        {
            throw new Jobs.JobFailedException(Contracts.Jobs.JobOutcome.InfrastructureError,
                $"this builder's engine does not have the image {required} that made the artifact");
        }
    }

    /// <summary>Metadata jobs only read the manifest, which any image's cargo does: the first one offered.</summary>
    public string ForMetadata() => For(offered.Count > 0 ? offered[0] : options.Value.Images.Keys.Order(StringComparer.Ordinal).First());

    [LoggerMessage(Level = LogLevel.Warning, Message = "The build image {Image} is not in the Docker engine: {Target} is not offered")]
    private static partial void LogImageMissing(ILogger logger, string image, string target);
}
