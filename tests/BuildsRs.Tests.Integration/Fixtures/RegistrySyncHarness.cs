using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.RegistrySync.Sync;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Fixtures;

/// <summary>RegistrySync's services wired as the service wires them, against a given database and registry.</summary>
public sealed class RegistrySyncHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), "buildsrs-tests-sync-" + Guid.NewGuid().ToString("N"));

    public RegistrySyncHarness(string connectionString, string gitIndexUrl, Uri sparseIndexUrl, Action<JobLifecycleOptions>? configureJobs = null)
    {
        var collection = new ServiceCollection();
        collection.Configure(configureJobs ?? (_ => { }));
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        collection.AddMetrics();
        collection.AddDbContext<BuildsRsDbContext>(options =>
        {
            options.UseNpgsql(connectionString);
            BuildsRsDbContext.ConfigureConventions(options);
        });
        collection.AddSingleton(Options.Create(new RegistryOptions
        {
            GitIndexUrl = gitIndexUrl,
            SparseIndexUrl = sparseIndexUrl,
            WorkDirectory = workDirectory,
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(1),
        }));
        collection.AddSingleton(TimeProvider.System);
        collection.AddSingleton<SyncTelemetry>();
        collection.AddSingleton<SyncStatus>();
        collection.AddScoped<GitIndexSync>();
        collection.AddHttpClient<SparseIndexRefresh>();
        services = collection.BuildServiceProvider();
    }

    public IServiceProvider Services => services;

    /// <summary>The sync's bare mirror of the git index.</summary>
    public string MirrorDirectory => workDirectory;

    public async Task<SyncPassResult> GitPassAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GitIndexSync>().RunPassAsync(CancellationToken.None);
    }

    public async Task<SyncPassResult> SparseRefreshAsync(params string[] crates)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SparseIndexRefresh>().RefreshAsync(crates, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }
}
