using System.Diagnostics;
using BuildsRs.Contracts.Registry;
using BuildsRs.LocalRegistry.Storage;
using Microsoft.Extensions.Options;
using Semver;

namespace BuildsRs.LocalRegistry.Seeding;

/// <summary>
/// Builds a registry from unpacked crate sources (provisioning takes them from Debian's librust-*-dev packages):
/// packs each into a <c>.crate</c>, reads its manifest with cargo into an index line, and commits the index once.
/// Provisioning runs it once; every registry instance then starts from a copy.
/// </summary>
internal static class RegistrySeeder
{
    public static async Task<int> SeedAsync(string sourcesDirectory, string outputDirectory, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var building = outputDirectory + ".building";
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }
        var store = new RegistryStore(Options.Create(new LocalRegistryOptions { DataDirectory = building, PublishToken = "unused-while-seeding" }));
        Directory.CreateDirectory(store.IndexDirectory);
        await Git.RunAsync(store.IndexDirectory, cancellationToken, "init", "--quiet", "--initial-branch=master");

        var sources = Directory.GetDirectories(sourcesDirectory).Order(StringComparer.Ordinal).ToList();
        var lines = new System.Collections.Concurrent.ConcurrentBag<IndexLine>();
        await Parallel.ForEachAsync(sources, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (source, token) =>
            {
                var line = await CargoManifestReader.ReadAsync(source, token);
                var crate = CrateSourcePacker.Pack(source, line.Name!, line.Vers!);
                var path = store.CratePath(line.Name!, line.Vers!);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, crate, token);
                lines.Add(line with { Cksum = RegistryStore.Sha256Hex(crate) });
            });

        foreach (var crate in lines.GroupBy(l => l.Name!.ToLowerInvariant()))
        {
            var ordered = crate.OrderBy(l => SemVersion.Parse(l.Vers!, SemVersionStyles.Strict), SemVersion.SortOrderComparer).ToList();
            await store.WriteLinesAsync(crate.Key, ordered, cancellationToken);
        }
        await Git.CommitAsync(store.IndexDirectory, $"Add {lines.Count} versions from crate sources", cancellationToken);

        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }
        Directory.Move(building, outputDirectory);
        Console.WriteLine($"Seeded {lines.Count} versions of {lines.Select(l => l.Name).Distinct().Count()} crates into {outputDirectory} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return 0;
    }
}
