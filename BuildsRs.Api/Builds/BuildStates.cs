using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using BuildsRs.Data.Model;

namespace BuildsRs.Api.Builds;

/// <summary>Where a version stands, from its jobs: for each target the newest attempt counts.</summary>
internal static class BuildStates
{
    public const string Library = "library";
    public const string Pending = "pending";

    public static IReadOnlyList<TargetState> PerTarget(IEnumerable<JobRow> jobs) =>
        [.. Newest(jobs.Where(j => j.Kind == JobKind.Binary)).OrderBy(j => j.Target, StringComparer.Ordinal)
            .Select(j => new TargetState(j.Target!, EnumText.Of(j.State), j.Outcome is { } outcome ? EnumText.Of(outcome) : null))];

    /// <summary>One word for the whole version: <c>pending</c>, <c>queued</c>, <c>running</c>, <c>library</c>,
    /// <c>succeeded</c> (every target built), <c>failed</c> (something could not be built) or <c>cancelled</c>.</summary>
    public static string Overall(IReadOnlyCollection<JobRow> jobs, string[]? binaryTargets)
    {
        var metadata = Newest(jobs.Where(j => j.Kind == JobKind.Metadata)).SingleOrDefault();
        if (metadata is null)
        {
            return Pending;
        }
        if (metadata.State != JobState.Succeeded)
        {
            return EnumText.Of(metadata.State);
        }
        if (binaryTargets is { Length: 0 })
        {
            return Library;
        }
        var targets = Newest(jobs.Where(j => j.Kind == JobKind.Binary)).Select(j => j.State).ToList();
        return targets switch
        {
            [] => Pending,
            _ when targets.Contains(JobState.Running) => EnumText.Of(JobState.Running),
            _ when targets.Contains(JobState.Queued) => EnumText.Of(JobState.Queued),
            _ when targets.All(s => s == JobState.Succeeded) => EnumText.Of(JobState.Succeeded),
            _ when targets.Contains(JobState.Cancelled) && !targets.Contains(JobState.Failed) => EnumText.Of(JobState.Cancelled),
            _ => EnumText.Of(JobState.Failed),
        };
    }

    private static IEnumerable<JobRow> Newest(IEnumerable<JobRow> jobs) =>
        jobs.GroupBy(j => (j.Kind, j.Target)).Select(g => g.MaxBy(j => j.Attempt)!);
}
