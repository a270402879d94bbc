using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Jobs;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// The jobs a builder runs at once, each in a <see cref="JobSlot"/> that asks for its own kind of work: one slot for
/// builds in the sandbox, and <see cref="BuilderOptions.MetadataSlots"/> for metadata jobs, which are read in memory.
/// Each kind is taken in the queue's own order; a backlog of one kind never holds the other up.
/// </summary>
internal sealed class JobSlots(JobRunner runner, IOptions<BuilderOptions> options)
{
    private static readonly JobKind[] BuildKinds = [JobKind.Binary, JobKind.Verify];
    private static readonly JobKind[] MetadataKinds = [JobKind.Metadata];

    /// <summary>Every slot with the kinds it asks for; slots of a kind share the same list.</summary>
    public IReadOnlyList<(JobSlot Slot, IReadOnlyList<JobKind> Kinds)> All { get; } =
        [(new JobSlot(runner), BuildKinds), .. Enumerable.Range(0, options.Value.MetadataSlots).Select(_ => (new JobSlot(runner), (IReadOnlyList<JobKind>)MetadataKinds))];

    /// <summary>Every job whose result the Api has not recorded yet: what heartbeats name.</summary>
    public IReadOnlyList<long> Jobs => [.. All.SelectMany(s => s.Slot.Jobs)];

    public void Confirmed(long jobId)
    {
        foreach (var (slot, _) in All)
        {
            slot.Confirmed(jobId);
        }
    }

    public void Discarded(long jobId)
    {
        foreach (var (slot, _) in All)
        {
            slot.Discarded(jobId);
        }
    }
}
