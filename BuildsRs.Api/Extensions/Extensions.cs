using System.Text.Json;
using BuildsRs.Api.Builders;
using BuildsRs.Api.Downloads;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Jobs;
using BuildsRs.Api.Storage;
using BuildsRs.Api.Targets;
using BuildsRs.Api.Trust;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Extensions;

internal static class Extensions
{
    public const string DatabaseConnectionName = "buildsrs";
    public const string StorageConnectionName = "artifacts";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTelemetrySource(ApiTelemetry.SourceName);
        builder.AddTelemetrySource(JobTelemetry.SourceName);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<OpenApiSecurity>().AddOperationTransformer<OpenApiSecurity>());
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // snake_case throughout, like crates.io's API and the registry index.
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });

        builder.RequireConnectionString(DatabaseConnectionName, "the Postgres database (Host=...;Port=...;Username=...;Password=...;Database=...)");
        builder.AddNpgsqlDbContext<BuildsRsDbContext>(DatabaseConnectionName, configureDbContextOptions: BuildsRsDbContext.ConfigureConventions);
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddOptions<TargetOptions>().BindConfiguration(TargetOptions.SectionName);
        builder.Services.AddHostedService<EnabledTargets>();

        builder.AddArtifactStorage(StorageConnectionName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<BuilderFleetOptions>().BindConfiguration(BuilderFleetOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddConfiguredBearerToken(BearerTokens.Operator, $"{AdminOptions.SectionName}:{nameof(AdminOptions.Token)}");
        builder.Services.AddHostedService<ConfiguredBuilderHosts>();
        builder.AddBearerTokenRole(BearerTokens.Enroller);
        builder.Services.AddSingleton<IBearerTokenValidator, BuilderHostTokens>();
        builder.AddBearerTokenRole(BearerTokens.Uploader);
        builder.Services.AddSingleton<IBearerTokenValidator, UploadTokens>();
        builder.Services.AddSingleton<BuilderConnectionHandler>();
        builder.Services.AddSingleton<BuilderConnections>();
        builder.Services.AddOptions<JobLifecycleOptions>().BindConfiguration(JobLifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<JobAssignmentOptions>().BindConfiguration(JobLifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<JobLifecycle>();
        builder.Services.AddScoped<JobAssignments>();
        builder.Services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>();
        builder.Services.AddSingleton<ArtifactSigner>();
        builder.Services.AddScoped<Provenance>();
        builder.Services.AddHostedService<LeaseSweeper>();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName);
        builder.Services.AddHostedService<RemovedVersionsRetention>();
        builder.Services.AddHostedService<QueueSampler>();

        builder.Services.AddOptions<PublicCaching>().BindConfiguration(PublicCaching.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var caching = builder.Configuration.GetSection(PublicCaching.SectionName).Get<PublicCaching>() ?? new PublicCaching();
        builder.Services.AddOutputCache(options =>
            options.AddPolicy(PublicCaching.PolicyName, policy => policy.SetVaryByQuery("*").SetVaryByHost(true).AddPolicy<CrateAnswerTags>()));
        builder.Services.AddMemoryCache(options => options.SizeLimit = caching.MaxDownloadEntries);
        builder.Services.AddSingleton<ReusedAnswers>();
        builder.AddPublicLimits();
        builder.Services.AddOptions<LiveLogOptions>().BindConfiguration(LiveLogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LiveLogs>();
        builder.Services.AddHostedService<CrateChangeListener>();
        builder.Services.AddScoped<BuildResolver>();
        builder.Services.AddSingleton<DownloadLocations>();
        builder.Services.AddOptions<DownloadOptions>().BindConfiguration(DownloadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DownloadCounter>();
        builder.Services.AddHostedService<DownloadCountFlusher>();
    }
}
