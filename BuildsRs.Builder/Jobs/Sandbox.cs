using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Runs one command in a fresh container of the build image: no network, a read-only root, an unprivileged user with
/// no capabilities, memory / CPU / pids limits and a wall-clock timeout. The container is always removed.
/// </summary>
public sealed class Sandbox(IDockerClient docker, IOptions<BuilderOptions> options)
{
    /// <param name="network"><c>none</c> for anything that runs the crate's code; <c>host</c> only to fetch dependencies.</param>
    public async Task<SandboxRun> RunAsync(IList<string> command, IList<string> binds, TimeSpan timeout, CancellationToken cancellationToken, string network = "none")
    {
        var settings = options.Value;
        var limits = settings.Sandbox;
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = settings.Image,
            Cmd = command,
            User = "1000:1000",
            WorkingDir = "/tmp",
            Env = ["HOME=/tmp", "CARGO_HOME=/tmp/cargo-home", "CARGO_TERM_COLOR=never"],
            Labels = new Dictionary<string, string> { ["org.buildsrs.sandbox"] = "true" },
            HostConfig = new HostConfig
            {
                NetworkMode = network,
                ReadonlyRootfs = true,
                Binds = binds,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = $"rw,exec,nosuid,size={limits.TmpBytes.ToString(CultureInfo.InvariantCulture)}" },
                Memory = limits.MemoryBytes,
                MemorySwap = limits.MemoryBytes,
                NanoCPUs = (long)(limits.Cpus * 1_000_000_000),
                PidsLimit = limits.Pids,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
            },
        }, cancellationToken);
        try
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
            var timedOut = false;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await docker.Containers.WaitContainerAsync(container.ID, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    timedOut = true;
                    await docker.Containers.KillContainerAsync(container.ID, new ContainerKillParameters(), CancellationToken.None);
                }
            }
            var state = (await docker.Containers.InspectContainerAsync(container.ID, cancellationToken)).State;
            using var logs = await docker.Containers.GetContainerLogsAsync(container.ID, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken);
            return new SandboxRun((int)state.ExitCode, stdout, stderr, state.OOMKilled, timedOut);
        }
        finally
        {
            // Also on timeout, failure and shutdown: nothing of a build outlives its job.
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }
}

public sealed record SandboxRun(int ExitCode, string Stdout, string Stderr, bool OutOfMemory, bool TimedOut);
