using BuildsRs.AppHost.LocalInfrastructure;

namespace BuildsRs.AppHost.Deployment;

internal static class DeploymentExtensions
{
    /// <summary>
    /// A secret the services share. Locally it is generated once and kept in the data directory (a persistent
    /// database keeps its password); in a deployment it is a secret parameter that azd generates and keeps.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name, string localFile, LocalPaths paths) =>
        builder.ExecutionContext.IsPublishMode
            ? builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true)
            : builder.AddParameter(name, paths.ReadOrCreateSecret(localFile), secret: true);

    /// <summary>
    /// Where browsers and command lines reach the Api. Locally that is the Api's own endpoint; a deployment names its
    /// public address (a custom domain, or the container app's URL) as the parameter <c>api-public-url</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicApiUrl(this IResourceBuilder<ProjectResource> web, IResourceBuilder<ProjectResource> api, bool deployed) =>
        deployed
            ? web.WithEnvironment("Site__ApiUrl", web.ApplicationBuilder.AddParameter("api-public-url"))
            : web.WithEnvironment("Site__ApiUrl", api.GetEndpoint("http"));
}
