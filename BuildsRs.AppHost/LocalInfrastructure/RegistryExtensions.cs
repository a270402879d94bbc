using Microsoft.Extensions.Configuration;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class RegistryExtensions
{
    /// <summary>
    /// The registry to follow. <c>Registry:Source</c> = <c>Local</c> (the default): a local registry of real crates,
    /// seeded by provisioning, that also accepts <c>cargo publish</c>; <c>CratesIo</c>: crates.io itself.
    /// </summary>
    public static IResourceBuilder<ProjectResource>? AddCrateRegistry(this IDistributedApplicationBuilder builder, LocalPaths paths)
    {
        var source = builder.Configuration["Registry:Source"] ?? "Local";
        if (source == "CratesIo")
        {
            return null;
        }
        if (source != "Local")
        {
            throw new InvalidOperationException($"Registry:Source must be Local or CratesIo, not '{source}'.");
        }

        var token = builder.AddParameter("registry-token", paths.ReadOrCreateSecret("registry.token"), secret: true);
        var registry = builder.AddProject<Projects.BuildsRs_LocalRegistry>("registry");
        var endpoint = registry.GetEndpoint("http");
        return registry
            .WithEnvironment("LocalRegistry__DataDirectory", Path.Combine(paths.DataDirectory, "registry"))
            .WithEnvironment("LocalRegistry__SeedDirectory", Path.Combine(paths.StateDirectory, "registry-seed"))
            .WithEnvironment("LocalRegistry__PublishToken", token)
            .WithEnvironment(context => context.EnvironmentVariables["LocalRegistry__PublicUrl"] = endpoint)
            .WithHttpHealthCheck("/health");
    }

    /// <summary>Points the Api's job assignments at the local registry's downloads (crates.io's are its default).</summary>
    public static IResourceBuilder<ProjectResource> WithCrateDownloads(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource>? registry) =>
        registry is null
            ? api
            : api.WithEnvironment("Jobs__DownloadUrl", ReferenceExpression.Create($"{registry.GetEndpoint("http")}/api/v1/crates/{{crate}}/{{version}}/download"));

    /// <summary>Builders fetch dependencies from the local registry (crates.io is their default).</summary>
    public static IResourceBuilder<ProjectResource> WithCrateDependencies(this IResourceBuilder<ProjectResource> builders, IResourceBuilder<ProjectResource>? registry) =>
        registry is null
            ? builders
            : builders.WithEnvironment("Builder__RegistryIndex", ReferenceExpression.Create($"{registry.GetEndpoint("http")}/index/"));

    /// <summary>
    /// Points RegistrySync at the local registry's git and sparse index (crates.io's are its defaults), and keeps its
    /// mirror of the index in the local data directory (a deployment keeps the service's own default).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCrateRegistry(
        this IResourceBuilder<ProjectResource> sync, IResourceBuilder<ProjectResource>? registry, LocalPaths? paths)
    {
        if (paths is not null)
        {
            sync.WithEnvironment("Registry__WorkDirectory", Path.Combine(paths.DataDirectory, "registry-sync"));
        }
        if (registry is null)
        {
            return sync;
        }
        var endpoint = registry.GetEndpoint("http");
        return sync
            .WithEnvironment("Registry__GitIndexUrl", ReferenceExpression.Create($"{endpoint}/git/index"))
            .WithEnvironment("Registry__SparseIndexUrl", ReferenceExpression.Create($"{endpoint}/index/"))
            // A local registry is cheap to poll, and a demo publish should show up within seconds.
            .WithEnvironment("Registry__PollInterval", sync.ApplicationBuilder.Configuration["Registry:PollInterval"] ?? "00:00:05")
            .WithReference(registry).WaitFor(registry);
    }
}
