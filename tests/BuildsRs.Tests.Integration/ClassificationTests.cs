using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using BuildsRs.Builder.Jobs;
using BuildsRs.Builder.Jobs.Classification;
using BuildsRs.Contracts.Builders;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Integration;

/// <summary>
/// The builders classify crates without cargo (<see cref="CargoTargets"/>); these tests hold that reading to real
/// <c>cargo metadata --no-deps</c>: on every crate of the local registry, and on crates made to stand on the edges of
/// cargo's rules. Same binaries, same settings, and a failure where cargo fails.
/// </summary>
public sealed class ClassificationTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-classify-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task Every_crate_of_the_local_registry_is_classified_as_cargo_metadata_classifies_it()
    {
        var crates = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.StateDirectory, "registry-seed", "crates"), "*.crate", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(crates.Count > 200, $"the local registry has {crates.Count} crates");

        var differences = new List<string>();
        await Parallel.ForEachAsync(crates, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (file, cancellationToken) =>
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file))!;
            var version = Path.GetFileNameWithoutExtension(file)[(name.Length + 1)..];
            if (await DifferenceAsync(await File.ReadAllBytesAsync(file, cancellationToken), name, version) is { } difference)
            {
                lock (differences)
                {
                    differences.Add(difference);
                }
            }
        });

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Theory]
    [InlineData("2015 edition: a declared bin turns discovery off", "edition = \"2015\"\n[[bin]]\nname = \"first\"\npath = \"src/first.rs\"", "src/first.rs src/bin/extra.rs src/main.rs")]
    [InlineData("2018 edition: declared and discovered together", "edition = \"2018\"\n[[bin]]\nname = \"first\"\npath = \"src/first.rs\"", "src/first.rs src/bin/extra.rs src/main.rs")]
    [InlineData("autobins = false keeps only what is declared", "edition = \"2021\"\nautobins = false", "src/main.rs src/bin/extra.rs")]
    [InlineData("folders with main.rs, no dot-files, no other files", "edition = \"2021\"", "src/bin/tool/main.rs src/bin/.hidden.rs src/bin/notes.txt src/bin/empty/readme.md src/lib.rs")]
    [InlineData("a declared name takes the discovered path", "edition = \"2021\"\n[[bin]]\nname = \"x\"\nrequired-features = [\"cli\"]", "src/bin/x.rs src/bin/y/main.rs")]
    [InlineData("2015's old default path for a named bin", "edition = \"2015\"\n[[bin]]\nname = \"legacy\"", "src/legacy.rs")]
    [InlineData("a declared path that duplicates a discovered one", "edition = \"2021\"\n[[bin]]\nname = \"renamed\"\npath = \"./src/main.rs\"", "src/main.rs")]
    [InlineData("two bins of one name", "edition = \"2021\"\n[[bin]]\nname = \"twice\"\npath = \"a.rs\"\n[[bin]]\nname = \"twice\"\npath = \"b.rs\"", "a.rs b.rs")]
    [InlineData("a bin without a name", "edition = \"2021\"\n[[bin]]\npath = \"a.rs\"", "a.rs")]
    [InlineData("a declared bin with nothing to build from", "edition = \"2021\"\n[[bin]]\nname = \"ghost\"", "src/lib.rs")]
    [InlineData("the author's settings", "edition = \"2021\"\n[package.metadata.buildsrs]\ntargets = [\"x86_64-unknown-linux-gnu\"]\nfeatures = [\"cli\"]\nno-default-features = true\nbins = [\"demo\"]", "src/main.rs")]
    [InlineData("only examples: no binary, still a package", "edition = \"2021\"", "examples/demo.rs")]
    [InlineData("nothing to build at all", "edition = \"2021\"", "README.md")]
    [InlineData("settings that are not the expected shape", "edition = \"2021\"\n[package.metadata.buildsrs]\ntargets = \"all\"", "src/main.rs")]
    public async Task A_crate_on_the_edge_of_cargos_rules_is_classified_as_cargo_metadata_classifies_it(string edge, string package, string files)
    {
        var crate = Crate("demo", "1.0.0", $"[package]\nname = \"demo\"\nversion = \"1.0.0\"\n{package}\n", files.Split(' '));

        Assert.Null(await DifferenceAsync(crate, "demo", "1.0.0") is { } difference ? $"{edge}: {difference}" : null);
    }

    /// <summary>Null when the in-process reading and cargo agree, else how they differ.</summary>
    private async Task<string?> DifferenceAsync(byte[] crate, string name, string version)
    {
        var mine = Classify(() =>
        {
            var listing = CrateListing.Read(crate, name, version);
            var package = PackageManifest.Parse(listing.Manifest);
            return (CargoTargets.BinariesOf(package, listing.Files), package.Settings);
        });
        var cargos = await CargoMetadataAsync(crate, name, version);
        return (mine, cargos) switch
        {
            ({ Failure: not null }, { Failure: not null }) => null,
            ({ Failure: { } failure }, _) => $"{name} {version}: cargo reads it ({Show(cargos)}), this reading fails: {failure}",
            (_, { Failure: { } failure }) => $"{name} {version}: cargo fails ({failure}), this reading gives {Show(mine)}",
            _ when mine.Binaries!.Order().SequenceEqual(cargos.Binaries!.Order()) && Same(mine.Settings, cargos.Settings) => null,
            _ => $"{name} {version}: cargo {Show(cargos)}, this reading {Show(mine)}",
        };
    }

    private async Task<Classified> CargoMetadataAsync(byte[] crate, string name, string version)
    {
        var folder = Path.Combine(work, Guid.NewGuid().ToString("N"));
        try
        {
            var root = CrateUnpacker.Unpack(crate, name, version, folder);
            var start = new ProcessStartInfo("cargo", ["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path", Path.Combine(root, "Cargo.toml")])
            {
                Environment = { ["RUSTUP_TOOLCHAIN"] = "stable", ["CARGO_HOME"] = Path.Combine(work, "cargo-home") },
            };
            var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(1));
            return exitCode == 0 ? Classify(() => MetadataJob.Read(output, name)) : new Classified(null, null, errors.Trim());
        }
        catch (JobFailedException refused)
        {
            return new Classified(null, null, refused.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Classified Classify(Func<(IReadOnlyList<string> Binaries, BuildSettings? Settings)> read)
    {
        try
        {
            var (binaries, settings) = read();
            return new Classified(binaries, settings, null);
        }
        catch (JobFailedException failure)
        {
            return new Classified(null, null, failure.Message);
        }
    }

    private static bool Same(BuildSettings? a, BuildSettings? b) =>
        (a is null && b is null) || (a is not null && b is not null && (a.Targets ?? []).SequenceEqual(b.Targets ?? []) && (a.Features ?? []).SequenceEqual(b.Features ?? [])
            && a.NoDefaultFeatures == b.NoDefaultFeatures && (a.Bins ?? []).SequenceEqual(b.Bins ?? []));

    private static string Show(Classified classified) =>
        $"bins [{string.Join(", ", classified.Binaries ?? [])}]" + (classified.Settings is { } s ? $" settings {System.Text.Json.JsonSerializer.Serialize(s, BuilderJsonContext.Default.BuildSettings)}" : "");

    /// <summary>A .crate of a manifest and empty files at <paramref name="files"/>, laid out as cargo packs one.</summary>
    private static byte[] Crate(string name, string version, string manifest, IEnumerable<string> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            void Add(string path, string content)
            {
                using var data = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{name}-{version}/{path}") { DataStream = data });
            }
            Add("Cargo.toml", manifest);
            foreach (var file in files)
            {
                Add(file, file.EndsWith(".rs", StringComparison.Ordinal) ? "fn main() {}\n" : "");
            }
        }
        return buffer.ToArray();
    }

    private sealed record Classified(IReadOnlyList<string>? Binaries, BuildSettings? Settings, string? Failure);
}
