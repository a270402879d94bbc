using System.Diagnostics;
using System.Text.Json;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Bulk;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Benchmarks.Registry;

/// <summary>
/// Measures RegistrySync on a crates.io-sized synthetic git index: (1) the full import, (2) an incremental pass with
/// 100 new versions and 10 yanks, (3) a raw COPY of the same rows into the same tables as the floor, once before the
/// import and once after it: the import is compared with their mean, so that a machine that slows down or speeds up
/// during the run moves both sides.
/// </summary>
internal static class RegistrySyncBenchmark
{
    private const int NewVersions = 100;
    private const int Yanks = 10;

    public static async Task<int> RunAsync(string importDatabase, string floorDatabase, string workDirectory, int crates, int versions)
    {
        Directory.CreateDirectory(workDirectory);
        var repository = Path.Combine(workDirectory, "index.git");
        await RunAsync("git", "init", "--quiet", "--bare", repository);

        Console.WriteLine($"Generating a synthetic index of {crates:N0} crates and {versions:N0} versions...");
        var started = Stopwatch.GetTimestamp();
        var crateNames = new List<string>(crates);
        var rows = new List<IndexVersionRow>(versions);
        var changed = new List<SyntheticCrate>();
        long bytes = 0;
        var every = crates / (NewVersions + Yanks);
        var files = new SyntheticIndex(crates, versions).Crates().Select(crate =>
        {
            crateNames.Add(crate.Name);
            rows.AddRange(crate.Rows());
            if (crateNames.Count % every == 0 && changed.Count < NewVersions + Yanks)
            {
                changed.Add(crate);
            }
            var content = crate.IndexFile();
            bytes += content.Length;
            return (crate.Path, content);
        });
        await GitFastImport.CommitAsync(repository, files, "Synthetic index", onTopOfHead: false);
        Console.WriteLine($"  {rows.Count:N0} index lines, {bytes / 1048576.0:N0} MiB of JSON, committed in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");

        await MigrateAsync(importDatabase);
        await MigrateAsync(floorDatabase);

        Console.WriteLine("(3a) Raw COPY of the same rows into the same tables, before the import...");
        var floorBefore = await RawCopyFloor.RunAsync(floorDatabase, crateNames, rows);
        Console.WriteLine($"  {floorBefore.TotalSeconds:N1} s");

        Console.WriteLine("(1) Full import (RegistrySync, first pass)...");
        await CheckpointAsync(importDatabase);
        var full = await PassAsync(importDatabase, repository, workDirectory);

        var changes = changed.Select((crate, i) => i < NewVersions
            ? (crate.Path, crate.IndexFile() + JsonSerializer.Serialize(crate.Versions[^1] with { Name = crate.Name, Vers = $"99.0.{i}", Yanked = false }, RegistryJsonContext.Default.IndexLine) + "\n")
            : (crate.Path, (crate with { Versions = [.. crate.Versions[..^1], crate.Versions[^1] with { Yanked = !(crate.Versions[^1].Yanked ?? false) }] }).IndexFile()));
        await GitFastImport.CommitAsync(repository, changes, $"{NewVersions} new versions, {Yanks} yanks", onTopOfHead: true);
        Console.WriteLine($"(2) Incremental pass ({NewVersions} new versions, {Yanks} yank changes)...");
        await CheckpointAsync(importDatabase);
        var incremental = await PassAsync(importDatabase, repository, workDirectory);

        Console.WriteLine("(3b) Raw COPY of the same rows into the same tables, after the import...");
        var floorAfter = await RawCopyFloor.RunAsync(floorDatabase, crateNames, rows);
        var floor = (floorBefore + floorAfter) / 2;

        Console.WriteLine();
        Console.WriteLine($"| measurement | figure |");
        Console.WriteLine($"| --- | --- |");
        Console.WriteLine($"| synthetic index | {crates:N0} crates, {rows.Count:N0} versions, {bytes / 1048576.0:N0} MiB |");
        Console.WriteLine($"| (1) full import | {full.Seconds:N1} s, {full.Versions / full.Seconds:N0} versions/s, {full.Added:N0} versions added |");
        Console.WriteLine($"| (2) incremental pass | {incremental.Seconds * 1000:N0} ms ({incremental.Files} files, {incremental.Added} added, {incremental.Yanked} yanked) |");
        Console.WriteLine($"| (3) raw COPY floor, mean of before and after | {floor.TotalSeconds:N1} s ({floorBefore.TotalSeconds:N1} s, {floorAfter.TotalSeconds:N1} s), {rows.Count / floor.TotalSeconds:N0} versions/s |");
        Console.WriteLine($"| full import / raw COPY | {full.Seconds / floor.TotalSeconds:N2}x |");
        Console.WriteLine($"| peak memory of the sync process | full {full.PeakMiB:N0} MiB, incremental {incremental.PeakMiB:N0} MiB |");
        return 0;
    }

    private static async Task<PassMeasurement> PassAsync(string database, string repository, string workDirectory)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, ["sync", database, repository, Path.Combine(workDirectory, "mirror")])
        {
            RedirectStandardOutput = true,
        };
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the sync pass failed: {output}");
        }
        var lines = output.Trim().Split('\n');
        var measurement = JsonSerializer.Deserialize<PassMeasurement>(lines[^1])!;
        Console.WriteLine(string.Join('\n', lines[..^1]));
        Console.WriteLine($"  {measurement}");
        return measurement;
    }

    /// <summary>Writes out what an earlier step left in the buffers, so that the next one does not pay for it.</summary>
    private static async Task CheckpointAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var checkpoint = new Npgsql.NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 0 };
        await checkpoint.ExecuteNonQueryAsync();
    }

    private static async Task MigrateAsync(string connectionString)
    {
        var options = new DbContextOptionsBuilder<BuildsRsDbContext>().UseNpgsql(connectionString);
        BuildsRsDbContext.ConfigureConventions(options);
        await using var db = new BuildsRsDbContext(options.Options);
        await db.Database.MigrateAsync();
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments))!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed");
        }
    }
}
