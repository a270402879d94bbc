using BuildsRs.Builder.Infrastructure;
using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BuilderOptions>().BindConfiguration(BuilderOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BuilderOptions>, BuilderOptionsValidator>();

        builder.Services.AddSingleton<IDockerClient>(services =>
            new DockerClientConfiguration(services.GetRequiredService<IOptions<BuilderOptions>>().Value.DockerEndpoint).CreateClient());
        builder.Services.AddHealthChecks()
            .AddCheck<DockerEngineHealthCheck>("docker-engine")
            .AddCheck<ApiConnectionHealthCheck>("api-connection");

        builder.Services.AddSingleton(services => BuilderKey.Acquire(services.GetRequiredService<IOptions<BuilderOptions>>().Value.KeyDirectory));
        builder.Services.AddSingleton<ApiConnectionState>();
        builder.Services.AddHostedService<ApiConnection>();
    }
}
