using System.Diagnostics;
using System.Net.Sockets;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Unit;

/// <summary>What a build leaves in its install folder is read without following a link or blocking on a pipe.</summary>
public sealed class HostFilesTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-hostfiles-" + Guid.NewGuid().ToString("N"));
    private readonly string installed;
    private readonly string copies;

    public HostFilesTests()
    {
        installed = Path.Combine(work, "out", "bin");
        copies = Path.Combine(work, "binaries");
        Directory.CreateDirectory(installed);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void Regular_files_are_copied_into_the_builders_own_folder()
    {
        File.WriteAllText(Path.Combine(installed, "tool"), "binary");

        var taken = InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None);

        Assert.Equal([Path.Combine(copies, "tool")], taken);
        Assert.Equal("binary", File.ReadAllText(taken[0]));
    }

    [Fact]
    public async Task A_named_pipe_fails_at_once_instead_of_blocking()
    {
        File.WriteAllText(Path.Combine(installed, "tool"), "binary");
        Assert.Equal(0, (await Processes.RunAsync("mkfifo", Path.Combine(installed, "waiting"))).ExitCode);
        var started = Stopwatch.GetTimestamp();

        var failure = await Task.Run(() => Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("the build left a named pipe in its install folder (bin/waiting), where only binaries belong: refused", failure.Message);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("tool")]
    public void A_link_is_never_followed_whatever_it_points_to(string target)
    {
        File.WriteAllText(Path.Combine(installed, "tool"), "binary");
        File.CreateSymbolicLink(Path.Combine(installed, "passwd"), target);

        var failure = Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None));

        Assert.Equal("the build left a link in its install folder (bin/passwd), where only binaries belong: refused", failure.Message);
        Assert.DoesNotContain(Directory.Exists(copies) ? Directory.GetFiles(copies) : [], copy => File.ReadAllText(copy).Contains("root:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_socket_a_folder_and_an_install_folder_that_is_a_link_are_refused()
    {
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound, the socket is a file of its own in the folder until it is closed.
            socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(installed, "listener")));
            Assert.Contains("a socket", Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None)).Message,
                StringComparison.Ordinal);
        }
        File.Delete(Path.Combine(installed, "listener"));
        Directory.CreateDirectory(Path.Combine(installed, "nested"));
        Assert.Contains("a folder", Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None)).Message,
            StringComparison.Ordinal);

        var linked = Path.Combine(work, "linked-bin");
        File.CreateSymbolicLink(linked, "/etc");
        Assert.Equal("the build made its install folder bin a link: refused",
            Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(linked, copies, 1024, CancellationToken.None)).Message);
    }

    [Fact]
    public void More_files_or_bytes_than_allowed_are_refused()
    {
        File.WriteAllBytes(Path.Combine(installed, "big"), new byte[2 << 20]);
        Assert.Equal("the build installed more than 1 MiB: refused",
            Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1 << 20, CancellationToken.None)).Message);

        File.Delete(Path.Combine(installed, "big"));
        foreach (var i in Enumerable.Range(0, InstalledBinaries.MaxBinaries + 1))
        {
            File.WriteAllText(Path.Combine(installed, $"tool-{i}"), "");
        }
        Assert.Equal($"the build installed more than {InstalledBinaries.MaxBinaries} files: refused",
            Assert.Throws<JobFailedException>(() => InstalledBinaries.Collect(installed, copies, 1024, CancellationToken.None)).Message);
    }

    [Fact]
    public void A_walk_of_a_folder_with_a_link_to_its_parent_ends_and_is_bounded()
    {
        Directory.CreateDirectory(Path.Combine(work, "tree", "e"));
        File.CreateSymbolicLink(Path.Combine(work, "tree", "e", "L"), "../..");
        File.CreateSymbolicLink(Path.Combine(work, "tree", "loop"), ".");

        Assert.Equal(["e/L", "loop"], FolderWalk.Links(Path.Combine(work, "tree"), 100, CancellationToken.None).Order());
        Assert.Throws<TooManyEntriesException>(() => FolderWalk.Links(Path.Combine(work, "tree"), 2, CancellationToken.None));
        Assert.Throws<OperationCanceledException>(() => FolderWalk.Links(Path.Combine(work, "tree"), 100, new CancellationToken(canceled: true)));
    }
}
