using BuildsRs.Data;

namespace BuildsRs.RegistrySync.Extensions;

internal static class Extensions
{
    public const string DatabaseConnectionName = "buildsrs";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Writes straight to the database; its health check reports whether the database answers.
        builder.AddNpgsqlDbContext<BuildsRsDbContext>(DatabaseConnectionName, configureDbContextOptions: BuildsRsDbContext.ConfigureConventions);
    }
}
