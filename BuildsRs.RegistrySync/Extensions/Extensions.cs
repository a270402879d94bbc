using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.RegistrySync.Sync;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;

namespace BuildsRs.RegistrySync.Extensions;

internal static class Extensions
{
    public const string DatabaseConnectionName = "buildsrs";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTelemetrySource(SyncTelemetry.SourceName);
        builder.AddTelemetrySource(JobTelemetry.SourceName);
        builder.Services.AddProblemDetails();
        // Refreshing on demand is an operator's call: the Api's admin token (without one, the endpoint refuses all).
        builder.AddConfiguredBearerToken(BearerTokens.Operator, "Admin:Token");

        // Writes straight to the database; its health check reports whether the database answers.
        builder.RequireConnectionString(DatabaseConnectionName, "the Postgres database (Host=...;Port=...;Username=...;Password=...;Database=...)");
        builder.AddNpgsqlDbContext<BuildsRsDbContext>(DatabaseConnectionName, configureDbContextOptions: BuildsRsDbContext.ConfigureConventions);

        builder.Services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.SectionName)
            .PostConfigure(registry => registry.AddTrailingSlash())
            .Validate(registry => registry.HasHttpSparseIndexUrl(), "Registry:SparseIndexUrl must be an absolute http:// or https:// URL")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>();
        builder.Services.AddOptions<JobLifecycleOptions>().BindConfiguration(JobLifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SyncTelemetry>();
        builder.Services.AddSingleton<SyncStatus>();
        builder.Services.AddScoped<GitIndexSync>();
        builder.Services.AddHttpClient<SparseIndexRefresh>();
        builder.Services.AddHostedService<RegistrySyncWorker>();
        builder.Services.AddHealthChecks().AddCheck<SyncHealthCheck>("registry-sync");
    }
}
