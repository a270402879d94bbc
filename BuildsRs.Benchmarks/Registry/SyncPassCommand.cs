using System.Diagnostics;
using System.Text.Json;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.RegistrySync.Sync;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildsRs.Benchmarks.Registry;

/// <summary>
/// One RegistrySync pass, wired as the service wires it, in a process of its own so that its peak memory is its own.
/// Prints one JSON line: the pass result, its wall time and the process's peak resident memory.
/// </summary>
internal static class SyncPassCommand
{
    public static async Task<int> RunAsync(string connectionString, string indexUrl, string workDirectory)
    {
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddMetrics()
            .AddDbContext<BuildsRsDbContext>(options =>
            {
                options.UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(0));
                BuildsRsDbContext.ConfigureConventions(options);
            })
            .AddSingleton(Options.Create(new RegistryOptions { GitIndexUrl = indexUrl, WorkDirectory = workDirectory }))
            .AddSingleton(Options.Create(new JobLifecycleOptions()))
            .AddSingleton<SyncTelemetry>()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<SyncStatus>()
            .AddScoped<GitIndexSync>()
            .BuildServiceProvider();

        await using var scope = services.CreateAsyncScope();
        // The service is long-running: build the EF model and open the connection pool before timing, as a warm
        // service would have done long before this pass.
        await scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>().RegistrySyncStates.CountAsync();
        var phases = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SyncTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => phases.Add($"{activity.DisplayName} {activity.Duration.TotalSeconds:N2} s"),
        };
        ActivitySource.AddActivityListener(listener);
        var started = Stopwatch.GetTimestamp();
        var result = await scope.ServiceProvider.GetRequiredService<GitIndexSync>().RunPassAsync(CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine("  phases: " + string.Join(", ", phases));
        Console.WriteLine(JsonSerializer.Serialize(new PassMeasurement(result.Mode, result.Files, result.Versions,
            result.Changes.VersionsAdded, result.Changes.Yanked, elapsed.TotalSeconds, PeakMemoryMiB())));
        return 0;
    }

    /// <summary>VmHWM: the most resident memory this process ever had.</summary>
    private static double PeakMemoryMiB() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0)
            .Single();
}

internal sealed record PassMeasurement(string Mode, int Files, int Versions, int Added, int Yanked, double Seconds, double PeakMiB);
