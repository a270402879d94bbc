using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Runs one command in a fresh container of a build image: no network at all, a read-only root, an
/// unprivileged user with no capabilities, memory / CPU / pids / disk limits, a wall-clock timeout and a no-output timeout.
/// Output is passed on as it comes. The container is always removed; containers carry their builder's key, so that
/// a builder that was killed outright, or the one that takes its key over, removes what it left running.
/// </summary>
public sealed class Sandbox(IDockerClient docker, IOptions<BuilderOptions> options, string owner = "")
{
    private const string SandboxLabel = "org.buildsrs.sandbox";
    private const string OwnerLabel = "org.buildsrs.builder";

    /// <summary>Each stream is kept up to this size for the caller; the live output is not cut.</summary>
    private const int MaxCapturedChars = 16 * 1024 * 1024;

    /// <param name="image">The build image to run in (one per target, see <see cref="Infrastructure.BuildImages"/>).</param>
    /// <param name="onOutput">Called with each piece of output as it arrives.</param>
    /// <param name="outputFolder">A host folder bound writable into the container, held to <see cref="SandboxLimits.OutputBytes"/>.</param>
    /// <param name="environment">Variables beside the sandbox's own (<c>NAME=value</c>).</param>
    public async Task<SandboxRun> RunAsync(string image, IList<string> command, IList<string> binds, TimeSpan timeout, CancellationToken cancellationToken,
        Func<string, Task>? onOutput = null, string? outputFolder = null, IEnumerable<string>? environment = null)
    {
        var settings = options.Value;
        var limits = settings.Sandbox;
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = command,
            User = SandboxUser,
            WorkingDir = "/tmp",
            Env = ["HOME=/tmp", "CARGO_HOME=/tmp/cargo-home", "CARGO_TERM_COLOR=never", .. environment ?? []],
            Labels = new Dictionary<string, string> { [SandboxLabel] = "true", [OwnerLabel] = owner },
            HostConfig = new HostConfig
            {
                // Nothing in a sandbox has a network; the fetch reaches the registry through a socket (FetchProxy).
                NetworkMode = "none",
                Runtime = string.IsNullOrEmpty(limits.Runtime) ? null : limits.Runtime,
                ReadonlyRootfs = true,
                Binds = binds,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = $"rw,exec,nosuid,size={limits.TmpBytes.ToString(CultureInfo.InvariantCulture)}" },
                // /tmp's pages are memory: its allowance comes on top, so that filling it is a disk limit, not an OOM.
                Memory = limits.MemoryBytes + limits.TmpBytes,
                MemorySwap = limits.MemoryBytes + limits.TmpBytes,
                NanoCPUs = (long)(limits.Cpus * 1_000_000_000),
                PidsLimit = limits.Pids,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
            },
        }, cancellationToken);
        try
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            using var silence = new Silence(limits.NoOutputTimeout);
            using var watch = new CancellationTokenSource();
            var overflow = outputFolder is null ? Task.Delay(Timeout.Infinite, watch.Token) : OutputGrowsPastAsync(outputFolder, limits.OutputBytes, watch.Token);
            var output = FollowAsync(container.ID, silence, onOutput, deadline.Token);
            var stopped = await Task.WhenAny(docker.Containers.WaitContainerAsync(container.ID, deadline.Token), silence.Broken, overflow);
            await watch.CancelAsync();
            var (timedOut, silent, overflowed) = (false, stopped == silence.Broken, stopped == overflow && overflow.IsCompletedSuccessfully);
            if (silent || overflowed || deadline.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                timedOut = !silent && !overflowed;
                await docker.Containers.KillContainerAsync(container.ID, new ContainerKillParameters(), CancellationToken.None);
            }
            var (stdout, stderr) = await output.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            var state = (await docker.Containers.InspectContainerAsync(container.ID, cancellationToken)).State;
            var diskFull = overflowed || (state.ExitCode != 0 && stderr.Contains(NoSpaceLeft, StringComparison.Ordinal));
            var outOfMemory = state.OOMKilled || (state.ExitCode == KilledExitCode && !timedOut && !silent && !overflowed);
            return new SandboxRun((int)state.ExitCode, stdout, stderr, outOfMemory, timedOut, silent, diskFull);
        }
        finally
        {
            // Also on timeout, failure and shutdown: nothing of a build outlives its job.
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }

    /// <summary>
    /// The unprivileged user builds run as: the image's <c>builder</c> (uid 1000) when this builder runs as root, else
    /// this builder's own uid (a builder in a container), so that it can read and remove what a build wrote.
    /// </summary>
    public static string SandboxUser { get; } = OwnUser() is var (uid, gid) && uid != "0" ? $"{uid}:{gid}" : "1000:1000";

    /// <summary>This process's effective uid and gid (the second field of the kernel's Uid and Gid lines).</summary>
    private static (string Uid, string Gid) OwnUser()
    {
        var status = File.ReadAllLines("/proc/self/status");
        string Effective(string key) => status.Single(line => line.StartsWith(key, StringComparison.Ordinal)).Split('\t')[2];
        return (Effective("Uid:"), Effective("Gid:"));
    }

    /// <summary>
    /// A sandbox's first process ended by SIGKILL (128 + 9) that this builder did not send: in a container of its own
    /// PID namespace under a memory limit, that is the kernel's OOM killer. Docker's OOMKilled flag says so too, but
    /// not always: under gVisor the killer takes the whole sandbox, and the engine can record the exit before the
    /// out-of-memory event.
    /// </summary>
    private const long KilledExitCode = 137;

    /// <summary>What the kernel's ENOSPC reads as, in any tool's message.</summary>
    private const string NoSpaceLeft = "No space left on device";

    /// <summary>The most entries a build may make in its output folder (its binaries and cargo's records of them).</summary>
    public const int MaxOutputEntries = 10_000;

    /// <summary>Completes once <paramref name="folder"/> holds more than <paramref name="limit"/> bytes or
    /// <see cref="MaxOutputEntries"/> entries (looked at every second, so a build overshoots by at most a second of
    /// writing). The build writes the folder while it is counted: links are not followed, only counted.</summary>
    private static async Task OutputGrowsPastAsync(string folder, long limit, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                var size = FolderWalk.Entries(folder, MaxOutputEntries, cancellationToken).OfType<FileInfo>().Where(f => !FolderWalk.IsLink(f)).Sum(f => f.Length);
                if (size > limit)
                {
                    return;
                }
            }
            catch (TooManyEntriesException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file went away while it was counted: count again next time.
            }
        }
    }

    /// <summary>Removes the containers an earlier life of this builder left behind; returns how many.</summary>
    public async Task<int> RemoveLeftoversAsync(CancellationToken cancellationToken)
    {
        var leftovers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{OwnerLabel}={owner}"] = true } },
        }, cancellationToken);
        foreach (var container in leftovers)
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        return leftovers.Count;
    }

    private async Task<(string Stdout, string Stderr)> FollowAsync(string id, Silence silence, Func<string, Task>? onOutput, CancellationToken cancellationToken)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        try
        {
            using var logs = await docker.Containers.GetContainerLogsAsync(id, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = true }, cancellationToken);
            var buffer = new byte[16 * 1024];
            var characters = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            // One decoder per stream: a character whose bytes two reads split stays whole.
            var (stdoutText, stderrText) = (Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder());
            while (true)
            {
                var read = await logs.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                {
                    break;
                }
                silence.Heard();
                var isStdout = read.Target == MultiplexedStream.TargetStream.StandardOut;
                var decoded = (isStdout ? stdoutText : stderrText).GetChars(buffer, 0, read.Count, characters, 0, flush: false);
                if (decoded == 0)
                {
                    continue;
                }
                var text = new string(characters, 0, decoded);
                var captured = isStdout ? stdout : stderr;
                if (captured.Length < MaxCapturedChars)
                {
                    captured.Append(text);
                }
                if (onOutput is not null)
                {
                    await onOutput(text);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The container was stopped; what was read so far is the output.
        }
        return (stdout.ToString(), stderr.ToString());
    }

    /// <summary>Breaks when nothing was heard for longer than the limit.</summary>
    private sealed class Silence : IDisposable
    {
        private readonly TaskCompletionSource broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource stop = new();
        private long lastHeard = Environment.TickCount64;

        public Silence(TimeSpan limit)
        {
            _ = WatchAsync(limit);
        }

        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }

        public Task Broken => broken.Task;

        public void Heard() => Interlocked.Exchange(ref lastHeard, Environment.TickCount64);

        private async Task WatchAsync(TimeSpan limit)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            var token = stop.Token;
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                {
                    if (Environment.TickCount64 - Interlocked.Read(ref lastHeard) > limit.TotalMilliseconds)
                    {
                        broken.TrySetResult();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }
    }
}

/// <param name="DiskFull">The command filled /tmp ("no space left on device") or wrote more than its output allowance.</param>
public sealed record SandboxRun(int ExitCode, string Stdout, string Stderr, bool OutOfMemory, bool TimedOut, bool Silent = false, bool DiskFull = false);
