using System.Net;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>
/// A deployment starts several Api instances at once on one database. Each writes the configured targets and builder
/// hosts at startup; all of them have to come up, and what they wrote is there once.
/// </summary>
public sealed class ApiStartupTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    private const string Target = "x86_64-unknown-linux-gnu";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Api_instances_starting_together_all_come_up_and_write_each_configured_row_once(bool schemaCurrent)
    {
        var database = await postgres.CreateDatabaseAsync();
        if (schemaCurrent)
        {
            // With nothing to migrate, the instances reach their settings within moments of each other.
            await using var db = PostgresServerFixture.CreateContext(database);
            await db.Database.MigrateAsync();
        }
        var instances = Enumerable.Range(0, 6).Select(_ => new ApiInstance(database)).ToList();
        try
        {
            await Task.WhenAll(instances.Select(instance => Task.Run(instance.StartServer)));
            var health = new List<HttpStatusCode>();
            foreach (var instance in instances)
            {
                using var response = await instance.CreateClient().GetAsync("/health");
                health.Add(response.StatusCode);
            }

            await using var check = PostgresServerFixture.CreateContext(database);
            Assert.All(health, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(1, await check.Targets.CountAsync(t => t.Triple == Target && t.Enabled));
            Assert.Equal(1, await check.BuilderHosts.CountAsync(h => h.Name == "compose"));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private sealed class ApiInstance(string database) : WebApplicationFactory<Program>
    {
        private readonly string artifacts = Path.Combine(Path.GetTempPath(), "buildsrs-startup-" + Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:buildsrs", database);
            builder.UseSetting("ConnectionStrings:artifacts", $"Directory={artifacts}");
            builder.UseSetting("Admin:Token", "startup-test-admin-token");
            builder.UseSetting("Signing:SecretKey", "startup-test-signing-secret-of-some-length");
            builder.UseSetting("Targets:Enabled:0", Target);
            builder.UseSetting("Builders:Hosts:compose", "startup-test-enrollment-token");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}
