using BuildsRs.Builder;
using BuildsRs.Builder.Jobs;
using BuildsRs.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Integration;

/// <summary>What untrusted code meets in the sandbox, tried for real against the Docker engine and the build image.</summary>
public sealed class SandboxTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1);
    private readonly DockerClient docker = new DockerClientConfiguration().CreateClient();
    private readonly BuilderOptions options = new()
    {
        Images = { [RepositoryPaths.HostTarget] = RepositoryPaths.BuildImages[RepositoryPaths.HostTarget] },
        // In the runtime the system's builders use (gVisor where provisioning could register it). Under gVisor the pids
        // limit also holds the sandbox kernel's own threads, which 64 would starve: there it is the product's 1024.
        Sandbox = new SandboxLimits
        {
            MemoryBytes = 128L * 1024 * 1024, TmpBytes = 64L * 1024 * 1024, Pids = RepositoryPaths.SandboxRuntime is null ? 64 : 1024,
            Runtime = RepositoryPaths.SandboxRuntime,
        },
    };

    public void Dispose() => docker.Dispose();

    private Sandbox Sandbox => new(docker, Options.Create(options));

    private string Image => options.Images[RepositoryPaths.HostTarget];

    [Fact]
    public async Task The_build_user_is_unprivileged_and_the_system_is_read_only()
    {
        var run = await Sandbox.RunAsync(Image, ["sh", "-c", "id -u; touch /usr/evil 2>&1 || echo refused; touch /tmp/ok && echo tmp-writable"], [], Generous, CancellationToken.None);

        Assert.Equal(["1000", "refused", "tmp-writable"], Lines(run.Stdout).Where(l => !l.StartsWith("touch", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task There_is_no_network_but_loopback()
    {
        var run = await Sandbox.RunAsync(Image, ["sh", "-c", "ls /sys/class/net; cargo search serde 2>&1"], [], Generous, CancellationToken.None);

        Assert.Equal("lo", Lines(run.Stdout)[0]);
        Assert.Contains("Could not resolve host", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_hog_is_killed_and_reported_as_out_of_memory()
    {
        // One 300 MB buffer filled at once: a pipe that fills it a page at a time takes minutes under gVisor.
        var run = await Sandbox.RunAsync(Image, ["sh", "-c", "dd if=/dev/zero of=/dev/null bs=300M count=1; echo survived"], [], Generous, CancellationToken.None);

        Assert.True(run.OutOfMemory, $"exit {run.ExitCode}: {run.Stderr}");
    }

    [Fact]
    public async Task A_fork_bomb_hits_the_pids_limit_and_the_host_is_untouched()
    {
        var run = await Sandbox.RunAsync(Image, ["sh", "-c", "for i in $(seq 1 500); do sleep 30 & done; echo all-started"],
            [], TimeSpan.FromSeconds(20), CancellationToken.None);

        // runc refuses the fork ("Cannot fork"); under gVisor the limit holds the sandbox's own threads, and the shell
        // dies with nothing to say. Either way the bomb never gets its processes.
        Assert.DoesNotContain("all-started", run.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, run.ExitCode);
        Assert.False(run.TimedOut);
        if (options.Sandbox.Runtime is null)
        {
            Assert.Contains("Cannot fork", run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_build_past_its_time_is_stopped_and_its_container_removed()
    {
        var before = await SandboxContainersAsync();

        var run = await Sandbox.RunAsync(Image, ["sleep", "300"], [], TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.True(run.TimedOut);
        Assert.Equal(before, await SandboxContainersAsync());
    }

    [Fact]
    public async Task A_build_that_goes_silent_is_stopped_as_no_output_and_what_it_printed_is_passed_on()
    {
        options.Sandbox.NoOutputTimeout = TimeSpan.FromSeconds(3);
        var live = new List<string>();

        var run = await Sandbox.RunAsync(Image, ["sh", "-c", "echo compiling; sleep 300"], [], Generous, CancellationToken.None,
            onOutput: chunk => { live.Add(chunk); return Task.CompletedTask; });

        Assert.True(run.Silent);
        Assert.False(run.TimedOut);
        Assert.Equal("compiling\n", string.Concat(live));
    }

    [Fact]
    public async Task A_builder_that_starts_again_removes_the_build_its_killed_predecessor_left_running()
    {
        var owner = "test-builder-" + Guid.NewGuid().ToString("N");
        var orphan = new Sandbox(docker, Options.Create(options), owner);
        var started = new TaskCompletionSource();
        var running = orphan.RunAsync(Image, ["sh", "-c", "echo started; sleep 300"], [], Generous, CancellationToken.None,
            onOutput: _ => { started.TrySetResult(); return Task.CompletedTask; });
        await started.Task.WaitAsync(Generous);

        var removed = await new Sandbox(docker, Options.Create(options), owner).RemoveLeftoversAsync(CancellationToken.None);
        var again = await new Sandbox(docker, Options.Create(options), owner).RemoveLeftoversAsync(CancellationToken.None);

        Assert.Equal((1, 0), (removed, again));
        await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync(Generous));
    }

    private async Task<int> SandboxContainersAsync() =>
        (await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["org.buildsrs.sandbox=true"] = true } },
        })).Count(c => c.Image == Image && c.Command.StartsWith("sleep", StringComparison.Ordinal));

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
