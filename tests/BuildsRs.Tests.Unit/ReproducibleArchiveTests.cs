using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using BuildsRs.Builder.Jobs;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Unit;

/// <summary>The same binaries always pack into the same bytes, whenever and in whatever order they were written.</summary>
public sealed class ReproducibleArchiveTests : IDisposable
{
    private static readonly DateTimeOffset Published = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-archive-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task Packing_the_same_files_twice_gives_the_same_bytes()
    {
        var first = Files("first", ("zeta", [1, 2, 3]), ("alpha", [4, 5]));
        var second = Files("second", ("alpha", [4, 5]), ("zeta", [1, 2, 3]));
        File.SetLastWriteTimeUtc(second[0], DateTime.UtcNow.AddDays(-3));

        ReproducibleArchive.Pack(first, Path.Combine(work, "first.tar.gz"), Published);
        // A packer that wrote the time of packing (in whole seconds, as tar does) would now write another.
        await WallClock.NextSecondAsync();
        ReproducibleArchive.Pack(second, Path.Combine(work, "second.tar.gz"), Published);

        Assert.Equal(Hash("first.tar.gz"), Hash("second.tar.gz"));
    }

    [Fact]
    public void Entries_are_sorted_executable_owned_by_nobody_and_dated_at_the_given_time()
    {
        ReproducibleArchive.Pack(Files("files", ("zeta", [1]), ("alpha", [2])), Path.Combine(work, "archive.tar.gz"), Published);

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(work, "archive.tar.gz")), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (tar.GetNextEntry() is { } entry)
        {
            entries.Add(entry);
        }

        Assert.Equal(["alpha", "zeta"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal((TarEntryFormat.Ustar, 0, 0, "", Published, "755"),
            (e.Format, e.Uid, e.Gid, ((PosixTarEntry)e).UserName, e.ModificationTime, Convert.ToString((int)e.Mode, 8))));
        var header = File.ReadAllBytes(Path.Combine(work, "archive.tar.gz"))[..10];
        Assert.Equal([0, 0, 0, 0], header[4..8]);
    }

    private string[] Files(string folder, params (string Name, byte[] Content)[] files)
    {
        Directory.CreateDirectory(Path.Combine(work, folder));
        return [.. files.Select(f =>
        {
            var path = Path.Combine(work, folder, f.Name);
            File.WriteAllBytes(path, f.Content);
            return path;
        })];
    }

    private string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(work, file))));
}
