using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class BuildImages
{
    /// <summary>
    /// The image each target builds in: <c>Builder:Images:&lt;target&gt;</c>, or else the tags that
    /// provisioning/builder-image.sh built and recorded (they change with the recipe, the toolchain and the packages).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Resolve(IConfiguration configuration, LocalPaths paths)
    {
        var configured = configuration.GetSection("Builder:Images").GetChildren().Where(c => c.Value is { Length: > 0 })
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
        if (configured.Count > 0)
        {
            return configured;
        }
        var records = Path.Combine(paths.StateDirectory, "builder-images");
        var recorded = Directory.Exists(records)
            ? Directory.GetFiles(records).Where(f => Path.GetExtension(f) is "").Order(StringComparer.Ordinal)
                .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Trim(), StringComparer.Ordinal)
            : [];
        return recorded.Count > 0
            ? recorded
            : throw new InvalidOperationException(
                $"No build images: set Builder:Images:<target> or run provisioning/provision.sh (it records the tags in {records}).");
    }

    /// <summary>Each builder gets every image; it offers the targets whose images its engine has.</summary>
    public static IResourceBuilder<ProjectResource> WithBuildImages(this IResourceBuilder<ProjectResource> builders, IReadOnlyDictionary<string, string> images)
    {
        foreach (var (target, image) in images)
        {
            builders.WithEnvironment($"Builder__Images__{target}", image);
        }
        return builders;
    }

    /// <summary>
    /// The Api enables the targets the local builders have images for, so that versions get jobs for each, and knows
    /// the images by the IDs provisioning recorded (provisioning/builder-image-ids.sh), so that verifying rebuilds
    /// count. An image given by tag alone (<c>Builder:Images</c>) has no recorded ID: its target is not verified.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithEnabledTargets(this IResourceBuilder<ProjectResource> api, IReadOnlyDictionary<string, string> images,
        LocalPaths paths)
    {
        var index = 0;
        foreach (var (target, image) in images)
        {
            api.WithEnvironment($"Targets__Enabled__{index++}", target);
            var record = Path.Combine(paths.StateDirectory, "builder-images", target);
            if (File.Exists(record) && File.ReadAllText(record).Trim() == image && File.Exists(record + ".id"))
            {
                api.WithEnvironment($"Targets__Images__{target}__0", File.ReadAllText(record + ".id").Trim());
            }
        }
        return api;
    }
}
