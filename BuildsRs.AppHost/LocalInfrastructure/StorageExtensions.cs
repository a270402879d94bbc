using Microsoft.Extensions.Configuration;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class StorageExtensions
{
    public const string ConnectionName = "artifacts";

    /// <summary>
    /// Artifact storage. With <c>ConnectionStrings:artifacts</c> set (Wasabi, AWS, MinIO...), that is used as is;
    /// otherwise a local S3-compatible server runs with its data under the local data directory.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddArtifactStorage(this IDistributedApplicationBuilder builder, LocalPaths paths)
    {
        if (!string.IsNullOrEmpty(builder.Configuration[$"ConnectionStrings:{ConnectionName}"]))
        {
            return builder.AddConnectionString(ConnectionName);
        }

        var dataDirectory = Path.Combine(paths.DataDirectory, "s3");
        Directory.CreateDirectory(dataDirectory);
        var server = Path.Combine(paths.ProvisioningDirectory, "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        var s3 = new LocalS3Resource("s3", "node", paths.ProvisioningDirectory, ConnectionName);
        return builder.AddResource(s3)
            .WithHttpEndpoint(name: "http", env: "S3_PORT")
            .WithArgs(context =>
            {
                // s3rver's continuation tokens use DES, which OpenSSL 3 only has in its legacy provider; without it
                // every truncated listing is a 500.
                context.Args.Add("--openssl-legacy-provider");
                context.Args.Add(server);
                context.Args.Add("--directory");
                context.Args.Add(dataDirectory);
                context.Args.Add("--address");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(s3.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--configure-bucket");
                context.Args.Add(s3.Bucket);
            })
            // Listing the bucket succeeds only once the server is up and the bucket exists.
            .WithHttpHealthCheck($"/{s3.Bucket}");
    }
}
