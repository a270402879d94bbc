using System.Net.Http.Json;
using System.Security.Cryptography;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BuildsRs.Tests.ApiTests.Fixtures;

/// <summary>
/// The Api as it runs in service, its whole pipeline on Kestrel, over a real Postgres and the real S3 server, set up as
/// the local system sets it up: an admin token, the builder hosts builder-1 and builder-2 with enrollment tokens of their
/// own, x86_64 Linux enabled. The registry's import is stood in for by a few versions of xml-rs whose metadata is read,
/// and one builder key of builder-1 is enrolled. No builder runs: a test that needs one connects its own.
/// </summary>
public sealed class ApiFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Target = "x86_64-unknown-linux-gnu";
    public static readonly string TargetImage = "sha256:" + new string('5', 64);

    private readonly PostgresServerFixture postgres = new();
    private readonly Dictionary<string, string> secrets = new(StringComparer.Ordinal)
    {
        ["admin.token"] = NewToken(),
        ["builder-1.enrollment.token"] = NewToken(),
        ["builder-2.enrollment.token"] = NewToken(),
    };

    public S3ServerFixture Storage { get; } = new();
    public string ConnectionString { get; private set; } = "";

    /// <summary>The address Kestrel listens on.</summary>
    public Uri ServerAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>A secret of this Api, named as the AppHost names the files it keeps them in.</summary>
    public string Secret(string name) => secrets[name];

    public Task<BuildsRsDbContext> CreateDbContextAsync() => Task.FromResult(PostgresServerFixture.CreateContext(ConnectionString));

    public async Task InitializeAsync()
    {
        await Task.WhenAll(postgres.InitializeAsync(), Storage.InitializeAsync());
        ConnectionString = await postgres.CreateDatabaseAsync();
        // On a real socket: builders connect with a WebSocket, and every client is a loopback address as in service.
        UseKestrel(0);
        // Migrations run here, before anything is seeded.
        StartServer();
        await SeedAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:buildsrs", ConnectionString);
        builder.UseSetting("ConnectionStrings:artifacts", Storage.ConnectionString);
        builder.UseSetting("Admin:Token", Secret("admin.token"));
        builder.UseSetting("Signing:SecretKey", NewToken() + NewToken());
        builder.UseSetting("Builders:Hosts:builder-1", Secret("builder-1.enrollment.token"));
        builder.UseSetting("Builders:Hosts:builder-2", Secret("builder-2.enrollment.token"));
        builder.UseSetting("Targets:Enabled:0", Target);
        builder.UseSetting($"Targets:Images:{Target}:0", TargetImage);
        // Every test is a client on loopback: the per-client limits are checked on their own (PublicLimitsTests).
        foreach (var limit in new[] { "Searches", "Listing", "Queued", "Log", "Download" })
        {
            builder.UseSetting($"RateLimits:{limit}:Burst", "100000");
            builder.UseSetting($"RateLimits:{limit}:PerMinute", "1000000");
        }
    }

    private async Task SeedAsync()
    {
        await using (var db = await CreateDbContextAsync())
        {
            var crate = new Crate { Name = "xml-rs" };
            foreach (var number in new[] { "0.8.19", "0.8.20" })
            {
                var version = new CrateVersion { Crate = crate, Version = number, Checksum = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(number))) };
                version.Jobs.Add(new Job { Kind = JobKind.Metadata, State = JobState.Succeeded, Outcome = JobOutcome.Succeeded });
                db.Versions.Add(version);
            }
            await db.SaveChangesAsync();
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = CreateClient();
        using var enroll = new HttpRequestMessage(HttpMethod.Post, "/api/v1/builders/enroll")
        {
            Content = JsonContent.Create(new EnrollRequest("seed-builder", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), [Target]),
                BuilderJsonContext.Default.EnrollRequest),
        };
        enroll.Headers.Authorization = new("Bearer", Secret("builder-1.enrollment.token"));
        (await http.SendAsync(enroll)).EnsureSuccessStatusCode();
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Storage.DisposeAsync();
        await postgres.DisposeAsync();
    }
}

/// <summary>The Api tier's tests share one Api; they run one after another, as each counts what the others may change.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTestGroup : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
