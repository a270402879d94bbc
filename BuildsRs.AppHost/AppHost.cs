using Microsoft.Extensions.Configuration;
using BuildsRs.AppHost.LocalInfrastructure;

var builder = DistributedApplication.CreateBuilder(args);
var paths = new LocalPaths(builder);

var database = builder.AddBuildsRsDatabase(paths);
var storage = builder.AddArtifactStorage(paths);
var registry = builder.AddCrateRegistry(paths);
var adminToken = builder.AddParameter("admin-token", paths.ReadOrCreateSecret("admin.token"), secret: true);
// Lets the local builders enroll their own keys, so that any number of replicas work without hand steps.
var enrollmentToken = builder.AddParameter("builder-enrollment-token", paths.ReadOrCreateSecret("enrollment.token"), secret: true);

// The Api owns the schema: it applies the migrations before it reports healthy, so whoever waits for it
// finds the tables in place.
var api = builder.AddProject<Projects.BuildsRs_Api>("api")
    .WithReference(database, DatabaseExtensions.DatabaseName).WaitFor(database)
    .WithReference(storage, StorageExtensions.ConnectionName).WaitFor(storage)
    .WithEnvironment("Admin__Token", adminToken)
    .WithEnvironment("Builders__EnrollmentToken", enrollmentToken)
    .WithCrateDownloads(registry)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.BuildsRs_RegistrySync>("registry-sync")
    .WithReference(database, DatabaseExtensions.DatabaseName).WaitFor(api)
    .WithCrateRegistry(registry, paths)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.BuildsRs_Builder>("builder")
    .WithReplicas(builder.Configuration.GetValue("Builder:Replicas", 2))
    .WithEnvironment("Builder__Image", BuilderImage.Resolve(builder.Configuration, paths))
    .WithEnvironment("Builder__EnrollmentToken", enrollmentToken)
    .WithEnvironment("Builder__KeyDirectory", Path.Combine(paths.DataDirectory, "builder-keys"))
    .WithCrateDependencies(registry)
    .WithReference(api).WaitFor(api)
    .WithHttpHealthCheck("/health");

// The website reads the Api inside the deployment; browsers and the commands it shows use the Api's public address.
var web = builder.AddProject<Projects.BuildsRs_Web>("web")
    .WithReference(api).WaitFor(api)
    .WithEnvironment("Site__ApiUrl", api.GetEndpoint("http"))
    .WithHttpHealthCheck("/health");
if (builder.Configuration.GetValue<int?>("Web:Port") is > 0 and var webPort)
{
    web.WithEndpoint("http", endpoint => endpoint.Port = webPort);
}

builder.Build().Run();
