using Microsoft.Extensions.Configuration;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class BuilderImage
{
    /// <summary>
    /// The image builds run in: <c>Builder:Image</c>, or else the tag that provisioning/builder-image.sh built and
    /// recorded (it changes with the recipe and the toolchain).
    /// </summary>
    public static string Resolve(IConfiguration configuration, LocalPaths paths)
    {
        if (configuration["Builder:Image"] is { Length: > 0 } image)
        {
            return image;
        }
        var recorded = Path.Combine(paths.StateDirectory, "builder-image");
        return File.Exists(recorded)
            ? File.ReadAllText(recorded).Trim()
            : throw new InvalidOperationException(
                $"No builder image: set Builder:Image or run provisioning/provision.sh (it records the tag in {recorded}).");
    }
}
