using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BuildsRs.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without starting a service; it never connects.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BuildsRsDbContext>
{
    public BuildsRsDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<BuildsRsDbContext>().UseNpgsql("Host=localhost;Database=buildsrs");
        BuildsRsDbContext.ConfigureConventions(options);
        return new(options.Options);
    }
}
