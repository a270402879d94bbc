using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using BuildsRs.Builder.Jobs;
using BuildsRs.Builder.Jobs.Classification;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Unit;

/// <summary>Hostile <c>.crate</c> files are refused as the crate's own failure, and nothing lands outside the job folder.</summary>
public sealed class CrateUnpackerTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-unpack-" + Guid.NewGuid().ToString("N"));
    private readonly string destination;

    public CrateUnpackerTests()
    {
        destination = Path.Combine(work, "job");
        Directory.CreateDirectory(destination);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void A_normal_crate_unpacks_without_the_files_that_would_steer_the_build()
    {
        var crate = Crate(
            File("demo-1.0.0/Cargo.toml", "[package]\nname = \"demo\"\n"),
            File("demo-1.0.0/src/main.rs", "fn main() {}"),
            File("demo-1.0.0/rust-toolchain.toml", "[toolchain]\nchannel = \"nightly\""),
            File("demo-1.0.0/.cargo/config.toml", "[build]\nrustflags = [\"-Cevil\"]"));

        var root = CrateUnpacker.Unpack(crate, "demo", "1.0.0", destination);

        Assert.Equal(Path.Combine(destination, "demo-1.0.0"), root);
        Assert.True(System.IO.File.Exists(Path.Combine(root, "src", "main.rs")));
        Assert.False(System.IO.File.Exists(Path.Combine(root, "rust-toolchain.toml")));
        Assert.False(System.IO.File.Exists(Path.Combine(root, ".cargo", "config.toml")));
    }

    public static TheoryData<string, string> HostileEntries => new()
    {
        { "demo-1.0.0/../../escaped.txt", "outside" },
        { "/etc/escaped.txt", "outside" },
        { "other-2.0.0/Cargo.toml", "outside" },
        { "demo-1.0.0/src/../../escaped.txt", "outside" },
    };

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public void Entries_outside_the_crate_folder_are_refused(string name, string reason)
    {
        var crate = Crate(File("demo-1.0.0/Cargo.toml", "[package]"), File(name, "pwned"));

        var error = Assert.Throws<JobFailedException>(() => CrateUnpacker.Unpack(crate, "demo", "1.0.0", destination));

        Assert.Equal(JobOutcome.Rejected, error.Outcome);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public void Reading_a_crate_in_memory_refuses_the_same_entries(string name, string reason)
    {
        var crate = Crate(File("demo-1.0.0/Cargo.toml", "[package]"), File(name, "pwned"));

        var error = Assert.Throws<JobFailedException>(() => CrateListing.Read(crate, "demo", "1.0.0"));

        Assert.Equal(JobOutcome.Rejected, error.Outcome);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_in_memory_refuses_hard_links_garbage_and_a_crate_without_a_manifest()
    {
        var hard = Crate(File("demo-1.0.0/Cargo.toml", "[package]"), new PaxTarEntry(TarEntryType.HardLink, "demo-1.0.0/hard") { LinkName = "/etc/shadow" });

        Assert.Contains("is a link (to '/etc/shadow')", Assert.Throws<JobFailedException>(() => CrateListing.Read(hard, "demo", "1.0.0")).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid .crate", Assert.Throws<JobFailedException>(() =>
            CrateListing.Read(Encoding.UTF8.GetBytes("not a crate"), "demo", "1.0.0")).Message, StringComparison.Ordinal);
        Assert.Contains("no Cargo.toml", Assert.Throws<JobFailedException>(() =>
            CrateListing.Read(Crate(File("demo-1.0.0/README.md", "hi")), "demo", "1.0.0")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_nested_deeper_than_any_real_one_is_refused_before_it_is_parsed()
    {
        var deep = "[package]\nname = \"demo\"\nversion = \"1.0.0\"\nx = " + new string('[', 200_000) + new string(']', 200_000) + "\n";

        var error = Assert.Throws<JobFailedException>(() => PackageManifest.Parse(deep));

        Assert.Equal(JobOutcome.Rejected, error.Outcome);
        Assert.Contains("nests arrays or tables deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Links as an attacker makes them: each one reads as "inside" by its text, and the kernel resolves the
    /// next from where the one before really leads.</summary>
    public static TheoryData<string, TarEntry[]> LinkedCrates => new()
    {
        { "a link behind a link", [Link("demo-1.0.0/e", "."), Link("demo-1.0.0/e/L", "../../.."), File("demo-1.0.0/e/L/sentinel/pwned", "pwned")] },
        { "a link to a parent folder", [Link("demo-1.0.0/up", ".."), File("demo-1.0.0/up/pwned", "pwned")] },
        { "a link to an absolute path", [Link("demo-1.0.0/abs", "/tmp"), File("demo-1.0.0/abs/pwned", "pwned")] },
        { "a link inside the crate", [File("demo-1.0.0/src/main.rs", "fn main() {}"), Link("demo-1.0.0/main.rs", "src/main.rs")] },
        { "a file written through a link", [Link("demo-1.0.0/out", "../../sentinel/pwned"), File("demo-1.0.0/out", "pwned")] },
        { "a hard link", [new PaxTarEntry(TarEntryType.HardLink, "demo-1.0.0/hard") { LinkName = "/etc/shadow" }] },
        { "a hard link into the crate", [File("demo-1.0.0/a", "a"), new PaxTarEntry(TarEntryType.HardLink, "demo-1.0.0/b") { LinkName = "demo-1.0.0/a" }] },
    };

    [Theory]
    [MemberData(nameof(LinkedCrates))]
    public void Every_link_is_refused_and_nothing_lands_outside_the_destination(string what, TarEntry[] entries)
    {
        var sentinel = Path.Combine(work, "sentinel");
        Directory.CreateDirectory(sentinel);
        var crate = Crate([File("demo-1.0.0/Cargo.toml", "[package]"), .. entries]);

        var error = Assert.Throws<JobFailedException>(() => CrateUnpacker.Unpack(crate, "demo", "1.0.0", destination));

        Assert.Equal(JobOutcome.Rejected, error.Outcome);
        Assert.True(error.Message.Contains("is a link", StringComparison.Ordinal), $"{what}: {error.Message}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(sentinel));
        Assert.Empty(FolderWalk.Links(destination, 100, CancellationToken.None));
        Assert.Equal(JobOutcome.Rejected, Assert.Throws<JobFailedException>(() => CrateListing.Read(crate, "demo", "1.0.0")).Outcome);
    }

    [Fact]
    public void An_unpack_stops_when_its_job_is_cancelled()
    {
        var crate = Crate([File("demo-1.0.0/Cargo.toml", "[package]"), .. Enumerable.Range(0, 100).Select(i => File($"demo-1.0.0/src/{i}.rs", ""))]);

        Assert.Throws<OperationCanceledException>(() => CrateUnpacker.Unpack(crate, "demo", "1.0.0", destination, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Devices_are_refused()
    {
        var crate = Crate(File("demo-1.0.0/Cargo.toml", "[package]"),
            new PaxTarEntry(TarEntryType.CharacterDevice, "demo-1.0.0/null") { DeviceMajor = 1, DeviceMinor = 3 });

        var error = Assert.Throws<JobFailedException>(() => CrateUnpacker.Unpack(crate, "demo", "1.0.0", destination));

        Assert.Contains("CharacterDevice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_and_a_crate_without_a_manifest_are_refused()
    {
        var garbage = Assert.Throws<JobFailedException>(() => CrateUnpacker.Unpack(Encoding.UTF8.GetBytes("not a crate"), "demo", "1.0.0", destination));
        var empty = Assert.Throws<JobFailedException>(() => CrateUnpacker.Unpack(Crate(File("demo-1.0.0/README.md", "hi")), "demo", "1.0.0", destination));

        Assert.Contains("not a valid .crate", garbage.Message, StringComparison.Ordinal);
        Assert.Contains("no Cargo.toml", empty.Message, StringComparison.Ordinal);
    }

    private void AssertNothingEscaped() =>
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories),
            path => !path.StartsWith(destination, StringComparison.Ordinal));

    private static PaxTarEntry Link(string name, string target) => HandMadeCrates.Link(name, target);

    private static PaxTarEntry File(string name, string content) => HandMadeCrates.File(name, content);

    private static byte[] Crate(params TarEntry[] entries) => HandMadeCrates.Pack(entries);
}
