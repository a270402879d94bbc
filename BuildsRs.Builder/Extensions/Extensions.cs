using BuildsRs.Builder.Infrastructure;
using BuildsRs.Builder.Jobs;
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

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<BuilderOptions>>().Value;
            return BuilderKey.Acquire(options.KeyDirectory, options.Name ?? Environment.MachineName);
        });
        builder.Services.AddSingleton<ApiConnectionState>();
        builder.Services.AddSingleton<JobSlots>();
        // Before the connection starts: no new job may begin while an earlier life's build still runs.
        builder.Services.AddHostedService<LeftoverSandboxCleanup>();
        builder.Services.AddHostedService<ApiConnection>();

        builder.AddTelemetrySource(BuilderTelemetry.SourceName);
        // Build containers are labelled with the key, which a builder that replaces a killed one takes over.
        builder.Services.AddSingleton(services => new Sandbox(services.GetRequiredService<IDockerClient>(),
            services.GetRequiredService<IOptions<BuilderOptions>>(), services.GetRequiredService<BuilderKey>().Fingerprint));
        builder.Services.AddSingleton<BuildImages>();
        builder.Services.AddSingleton<MetadataJob>();
        builder.Services.AddSingleton<BinaryJob>();
        builder.Services.AddHttpClient<RegistryHosts>();
        builder.Services.AddSingleton<Toolchains>();
        builder.Services.AddSingleton<JobRunner>();
        // Crate downloads get their own client: the standard resilience timeouts suit API calls, not file transfers.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt out.
        builder.Services.AddHttpClient<CrateDownloader>(client => client.Timeout = TimeSpan.FromMinutes(5)).RemoveAllResilienceHandlers();
        builder.Services.AddHttpClient<ArtifactUploader>((services, client) =>
        {
            client.BaseAddress = services.GetRequiredService<IOptions<BuilderOptions>>().Value.ApiUrl;
            client.Timeout = TimeSpan.FromMinutes(10);
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
