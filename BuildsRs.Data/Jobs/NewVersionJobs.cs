namespace BuildsRs.Data.Jobs;

/// <summary>
/// How an import queues the metadata jobs of the versions it adds. New publications (an incremental pass) go at
/// <see cref="Priority"/>, but a crate family (names sharing their first word, <c>aws-sdk-*</c>, <c>tokio-*</c>) gets
/// <see cref="FamilyBurst"/> versions a step before the next ones drop a step, so one publisher's dozens of releases
/// do not hold everyone else up. A backfill (a full import) queues each crate's newest version at <see cref="Priority"/>,
/// newest publications first, and its older versions after every one of those, or not at all.
/// </summary>
public sealed record NewVersionJobs(bool Backfill, int Priority, int OlderPriority, bool QueueOlder, int FamilyBurst, string? TraceParent)
{
    /// <summary>How far a family's burst can lower its versions' priority.</summary>
    public const int MaxFamilyDrop = 5;

    public static NewVersionJobs Publications(JobLifecycleOptions options, string? traceParent) =>
        new(false, options.NewVersionPriority, options.BackfillOlderPriority, true, options.FamilyBurst, traceParent);

    public static NewVersionJobs Backlog(JobLifecycleOptions options) =>
        new(true, options.BackfillPriority, options.BackfillOlderPriority, options.BackfillOlderVersions, options.FamilyBurst, null);
}
