using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// The whole system as the AppHost wires it (real Postgres, S3 server, Docker engine, two builders), started once for
/// every system test, on a fresh data directory so a run never sees an earlier one's data. Every service exports its
/// telemetry to <see cref="Telemetry"/>, as it would to the dashboard.
/// </summary>
public sealed class BuildsRsAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "buildsrs-tests-app-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public OtlpReceiver Telemetry { get; } = new();

    /// <summary>A context on the system's database, as the services see it.</summary>
    public async Task<BuildsRs.Data.BuildsRsDbContext> CreateDbContextAsync() =>
        PostgresServerFixture.CreateContext(await App.GetConnectionStringAsync("postgres") ?? throw new InvalidOperationException("postgres has no connection string"));

    /// <summary>A secret the AppHost generated for this run (admin token, enrollment token...).</summary>
    public string Secret(string name) => File.ReadAllText(Path.Combine(dataDirectory, name)).Trim();

    /// <summary>Where the local builders keep their keys, one lock file per running builder.</summary>
    public string BuilderKeyDirectory => Path.Combine(dataDirectory, "builder-keys");

    /// <summary>Each instance (replicas count one by one) and the last snapshot it reported.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> HealthyResources { get; private set; } = new Dictionary<string, ResourceEvent>();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await Telemetry.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuildsRs_AppHost>(
            // The builders run in the engine's default runtime: gVisor here runs on its ptrace platform, several times
            // slower per build, which the suite's many builds cannot pay for. The hostile suite (BinaryJobTests,
            // SandboxTests) runs in gVisor where provisioning recorded it.
            [$"--LocalInfrastructure:DataDirectory={dataDirectory}", "--Web:Port=0", "--Builder:Sandbox:Runtime="],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        // Second builds of the seeded backlog would keep both builders busy for the whole run: the tests that check
        // verification ask for it (the admin API), and the lifecycle tests cover queuing it after every build.
        var api = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "api")).WithEnvironment("Jobs__VerifyShare", "0");
        // Every test (and the website's browser) is a client on loopback that polls: the per-client limits are far
        // above what the suite asks, and are checked on their own (PublicLimitsTests).
        foreach (var limit in new[] { "Searches", "Listing", "Queued", "Log", "Download" })
        {
            api.WithEnvironment($"RateLimits__{limit}__Burst", "100000").WithEnvironment($"RateLimits__{limit}__PerMinute", "1000000");
        }
        api.WithEnvironment("LiveLogs__PerClient", "1000");
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Endpoint.ToString().TrimEnd('/'))
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "1000")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500")
                // Every span counts here: a busy run must not drop any from a full export queue.
                .WithEnvironment("OTEL_BSP_MAX_QUEUE_SIZE", "262144");
        }
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        HealthyResources = await WaitUntilEveryResourceIsHealthyAsync(App, timeout.Token);
        // RegistrySync is healthy before its first pass ends; the tests read the seeded crates, which that pass imports
        // in one transaction.
        await using var db = await CreateDbContextAsync();
        while (!await db.Versions.AnyAsync(timeout.Token))
        {
            await Task.Delay(250, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await App.StopAsync(timeout.Token);
            await App.DisposeAsync();
        }
        await Telemetry.DisposeAsync();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Follows the resource notifications until every running resource instance reports healthy.</summary>
    private static async Task<IReadOnlyDictionary<string, ResourceEvent>> WaitUntilEveryResourceIsHealthyAsync(
        DistributedApplication app, CancellationToken cancellationToken)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var expected = model.Resources.Where(r => r is ProjectResource or ExecutableResource).ToList();
        // Aspire's own helpers (such as the project rebuilders) are hidden resources that never start.
        var hidden = new HashSet<IResource>();
        var latest = new Dictionary<string, ResourceEvent>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (!expected.Contains(update.Resource))
                {
                    continue;
                }
                if (update.Snapshot.IsHidden)
                {
                    hidden.Add(update.Resource);
                    latest.Remove(update.ResourceId);
                    continue;
                }
                latest[update.ResourceId] = update;
                var expectedInstances = expected.Where(r => !hidden.Contains(r)).Sum(Replicas);
                if (latest.Count == expectedInstances && latest.Values.All(IsHealthy))
                {
                    return latest;
                }
            }
        }
        catch (OperationCanceledException)
        {
            var report = string.Join(", ", latest.Values.Select(e => $"{e.ResourceId}: {e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}"));
            throw new TimeoutException($"Not every resource became healthy in time: {report}");
        }
        throw new InvalidOperationException("The resource notifications ended before every resource was healthy.");
    }

    private static int Replicas(IResource resource) => resource.Annotations.OfType<ReplicaAnnotation>().SingleOrDefault()?.Replicas ?? 1;

    private static bool IsHealthy(ResourceEvent update) =>
        update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy;
}

[CollectionDefinition(Name)]
public sealed class SystemTestGroup : ICollectionFixture<BuildsRsAppFixture>
{
    public const string Name = "system";
}
