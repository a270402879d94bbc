using System.Collections.Concurrent;
using BuildsRs.Contracts.Jobs;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The toolchain of each build image (<c>rustc -V</c>), asked once per image in a sandbox of its own: a build's own
/// output could say anything, so what the provenance names comes from a run the crate had no part in.
/// </summary>
public sealed class Toolchains(Sandbox sandbox, IOptions<BuilderOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> known = new();

    public Task<string> OfAsync(string imageId, CancellationToken cancellationToken) =>
        known.GetOrAdd(imageId, id => new Lazy<Task<string>>(() => AskAsync(id, cancellationToken))).Value;

    private async Task<string> AskAsync(string imageId, CancellationToken cancellationToken)
    {
        var run = await sandbox.RunAsync(imageId, ["rustc", "-V"], [], options.Value.Sandbox.MetadataTimeout, cancellationToken);
        if (run.ExitCode != 0)
        {
            known.TryRemove(imageId, out _);
            throw new JobFailedException(JobOutcome.InfrastructureError, $"rustc -V failed in {imageId}: {run.Stderr}");
        }
        return run.Stdout.Trim();
    }
}
