using System.Data.Common;
using Amazon.S3;
using BuildsRs.Api.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.Api.Storage;

internal static class ArtifactStorageRegistration
{
    /// <summary>
    /// The artifact store named by a connection string: <c>Directory=...</c> for files on this machine or a shared
    /// volume, otherwise an S3 endpoint (<see cref="ArtifactStorageSettings"/>).
    /// </summary>
    public static void AddArtifactStorage(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.RequireConnectionString(connectionName,
            "the artifact storage (Endpoint=...;AccessKey=...;SecretKey=...;Bucket=... for S3, or Directory=<path>)");
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Directory", out var directory) && directory?.ToString() is { Length: > 0 } root)
        {
            var store = new FileSystemArtifactStore(root);
            Directory.CreateDirectory(store.Root);
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton<IArtifactStore>(store);
            builder.Services.AddHealthChecks().AddCheck("artifact-storage", () => Directory.Exists(store.Root)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The artifact directory {store.Root} does not exist."));
            return;
        }

        var storage = ArtifactStorageSettings.Parse(connectionString);
        builder.Services.AddSingleton(storage);
        builder.Services.AddSingleton<IAmazonS3>(_ => storage.CreateClient());
        builder.Services.AddHealthChecks().AddCheck<ArtifactStorageHealthCheck>("artifact-storage");
        builder.Services.AddSingleton<IArtifactStore, S3ArtifactStore>();
    }
}
