using Microsoft.Extensions.Configuration;
using BuildsRs.AppHost.Deployment;
using BuildsRs.AppHost.LocalInfrastructure;

var builder = DistributedApplication.CreateBuilder(args);
// Run mode is the local system: Postgres and S3 as processes of this machine, the local registry, builders.
// Publish mode is the manifest azd deploys (see Deployment/): Postgres and S3 are connection strings and the secrets
// parameters given at deploy time, the registry is crates.io, and there are no builders: container apps have no
// Docker engine, so builders run on Docker hosts of their own and join the Api's public address.
var deployed = builder.ExecutionContext.IsPublishMode;
var paths = new LocalPaths(builder);

var database = deployed ? builder.AddConnectionString(DatabaseExtensions.DatabaseName) : builder.AddBuildsRsDatabase(paths);
var storage = deployed ? builder.AddConnectionString(StorageExtensions.ConnectionName) : builder.AddArtifactStorage(paths);
var registry = deployed ? null : builder.AddCrateRegistry(paths);
var adminToken = builder.AddSecret("admin-token", "admin.token", paths);
// The key every artifact and its provenance is signed with; only the Api holds it.
var signingKey = builder.AddSecret("signing-key", "signing.key", paths);
var buildImages = deployed ? null : BuildImages.Resolve(builder.Configuration, paths);

// The Api owns the schema: it applies the migrations before it reports healthy, so whoever waits for it
// finds the tables in place.
var api = builder.AddProject<Projects.BuildsRs_Api>("api")
    .WithReference(database, DatabaseExtensions.DatabaseName).WaitFor(database)
    .WithReference(storage, StorageExtensions.ConnectionName).WaitFor(storage)
    .WithEnvironment("Admin__Token", adminToken)
    .WithEnvironment("Signing__SecretKey", signingKey)
    .WithCrateDownloads(registry)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");
if (buildImages is not null)
{
    api.WithEnabledTargets(buildImages, paths);
}

builder.AddProject<Projects.BuildsRs_RegistrySync>("registry-sync")
    .WithReference(database, DatabaseExtensions.DatabaseName).WaitFor(api)
    .WithEnvironment("Admin__Token", adminToken)
    .WithCrateRegistry(registry, deployed ? null : paths)
    .WithHttpHealthCheck("/health");

if (buildImages is not null)
{
    // Each local builder is a builder host of its own, with its own enrollment token and keys, so that one can verify
    // what the other built (the Api never lets a host verify its own work).
    for (var i = 1; i <= builder.Configuration.GetValue("Builder:Count", 2); i++)
    {
        var name = $"builder-{i}";
        var enrollmentToken = builder.AddSecret($"{name}-enrollment-token", $"{name}.enrollment.token", paths);
        api.WithEnvironment($"Builders__Hosts__{name}", enrollmentToken);
        builder.AddProject<Projects.BuildsRs_Builder>(name)
            .WithBuildImages(buildImages)
            .WithSandboxRuntime(SandboxRuntime.Resolve(builder.Configuration, paths))
            .WithEnvironment("Builder__EnrollmentToken", enrollmentToken)
            .WithEnvironment("Builder__KeyDirectory", Path.Combine(paths.DataDirectory, "builder-keys", name))
            .WithEnvironment("Builder__Name", name)
            .WithCrateDependencies(registry)
            .WithReference(api).WaitFor(api)
            .WithHttpHealthCheck("/health");
    }
}

// The website reads the Api inside the deployment; browsers and the commands it shows use the Api's public address.
var web = builder.AddProject<Projects.BuildsRs_Web>("web")
    .WithReference(api).WaitFor(api)
    .WithPublicApiUrl(api, deployed)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");
if (!deployed && builder.Configuration.GetValue<int?>("Web:Port") is > 0 and var webPort)
{
    web.WithEndpoint("http", endpoint => endpoint.Port = webPort);
}

builder.Build().Run();
