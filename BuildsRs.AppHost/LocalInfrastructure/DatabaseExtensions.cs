using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class DatabaseExtensions
{
    public const string DatabaseName = "buildsrs";

    /// <summary>
    /// The system's Postgres database. <c>Postgres:Mode</c> chooses how it runs: <c>Container</c> (Aspire's own
    /// Postgres image), <c>Executable</c> (the machine's PostgreSQL server binaries), or <c>Auto</c> (the default:
    /// Executable where the binaries are installed, else Container). Both are real Postgres with persistent data.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddBuildsRsDatabase(this IDistributedApplicationBuilder builder, LocalPaths paths)
    {
        var mode = builder.Configuration["Postgres:Mode"] ?? "Auto";
        var useExecutable = mode switch
        {
            "Executable" => true,
            "Container" => false,
            "Auto" => Directory.Exists("/usr/lib/postgresql") && Directory.EnumerateDirectories("/usr/lib/postgresql").Any(),
            _ => throw new InvalidOperationException($"Postgres:Mode must be Auto, Executable or Container, not '{mode}'."),
        };

        if (!useExecutable)
        {
            return builder.AddPostgres("postgres").WithDataVolume("buildsrs-postgres").AddDatabase(DatabaseName);
        }

        var password = builder.AddParameter("postgres-password", paths.ReadOrCreateSecret("postgres.password"), secret: true);
        var postgres = new LocalPostgresResource("postgres", "bash", paths.ProvisioningDirectory, DatabaseName, password.Resource);
        var healthCheckKey = "postgres-ready";
        builder.Services.AddHealthChecks().Add(new(healthCheckKey, _ => new LocalPostgresHealthCheck(postgres), failureStatus: null, tags: null));

        return builder.AddResource(postgres)
            .WithArgs(Path.Combine(paths.ProvisioningDirectory, "postgres.sh"))
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "POSTGRES_PORT")
            .WithEnvironment("POSTGRES_DATA_DIR", Path.Combine(paths.DataDirectory, "postgres"))
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithEnvironment("POSTGRES_DB", DatabaseName)
            .WithHealthCheck(healthCheckKey);
    }
}
