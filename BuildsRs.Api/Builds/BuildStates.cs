using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Api.Builds;

/// <summary>Where a version stands, from its jobs: for each target the newest attempt counts.</summary>
internal static class BuildStates
{
    public static IReadOnlyList<TargetState> PerTarget(IEnumerable<JobRow> jobs) =>
        [.. Newest(jobs.Where(j => j.Kind == JobKind.Binary)).OrderBy(j => j.Target, StringComparer.Ordinal)
            .Select(j => new TargetState(j.Target!, j.State, j.Outcome))];

    /// <summary>One word for the whole version (see <see cref="VersionState"/>).</summary>
    public static VersionState Overall(IReadOnlyCollection<JobRow> jobs, string[]? binaryTargets)
    {
        var metadata = Newest(jobs.Where(j => j.Kind == JobKind.Metadata)).SingleOrDefault();
        if (metadata is null)
        {
            return VersionState.Pending;
        }
        if (metadata.State != JobState.Succeeded)
        {
            return VersionStates.Of(metadata.State);
        }
        if (binaryTargets is { Length: 0 })
        {
            return VersionState.Library;
        }
        var targets = Newest(jobs.Where(j => j.Kind == JobKind.Binary)).Select(j => j.State).ToList();
        return targets switch
        {
            [] => VersionState.Pending,
            _ when targets.Contains(JobState.Running) => VersionState.Running,
            _ when targets.Contains(JobState.Queued) => VersionState.Queued,
            _ when targets.All(s => s == JobState.Succeeded) => VersionState.Succeeded,
            _ when targets.Contains(JobState.Cancelled) && !targets.Contains(JobState.Failed) => VersionState.Cancelled,
            _ => VersionState.Failed,
        };
    }

    private static IEnumerable<JobRow> Newest(IEnumerable<JobRow> jobs) =>
        jobs.GroupBy(j => (j.Kind, j.Target)).Select(g => g.MaxBy(j => j.Attempt)!);
}
