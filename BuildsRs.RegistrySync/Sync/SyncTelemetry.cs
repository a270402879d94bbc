using System.Diagnostics;
using System.Diagnostics.Metrics;
using BuildsRs.Data.Bulk;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>Spans of each pass and phase, and the numbers that tell whether the database keeps up with the index.</summary>
public sealed class SyncTelemetry
{
    public const string SourceName = "BuildsRs.RegistrySync";
    public static readonly ActivitySource Source = new(SourceName);

    private readonly Counter<long> versionsAdded;
    private readonly Counter<long> versionsYanked;
    private readonly Counter<long> versionsRemoved;
    private readonly Counter<long> removalsHeld;
    private readonly Counter<long> malformedLines;
    private readonly Histogram<double> passDuration;
    private long commitsBehind;

    public SyncTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(SourceName);
        versionsAdded = meter.CreateCounter<long>("buildsrs.sync.versions.added", "{version}", "Versions added from the index");
        versionsYanked = meter.CreateCounter<long>("buildsrs.sync.versions.yanked", "{version}", "Versions yanked in the index");
        versionsRemoved = meter.CreateCounter<long>("buildsrs.sync.versions.removed", "{version}", "Versions the index stopped listing, marked removed");
        removalsHeld = meter.CreateCounter<long>("buildsrs.sync.removals.held", "{version}",
            "Removals of passes the removal guard held (the index stopped listing too much at once)");
        malformedLines = meter.CreateCounter<long>("buildsrs.sync.malformed_lines", "{line}", "Index lines skipped as malformed");
        passDuration = meter.CreateHistogram<double>("buildsrs.sync.pass.duration", "s", "Duration of a sync pass");
        meter.CreateObservableGauge("buildsrs.sync.lag", () => Interlocked.Read(ref commitsBehind), "{commit}",
            "Index commits not yet applied when the last pass started");
    }

    public void PassFinished(IndexImportResult result, int malformed, TimeSpan duration, string mode)
    {
        var tag = new KeyValuePair<string, object?>("mode", mode);
        versionsAdded.Add(result.VersionsAdded, tag);
        versionsYanked.Add(result.Yanked, tag);
        versionsRemoved.Add(result.VersionsRemoved, tag);
        malformedLines.Add(malformed, tag);
        passDuration.Record(duration.TotalSeconds, tag);
    }

    public void RemovalsHeld(int removals) => removalsHeld.Add(removals);

    public void Behind(long commits) => Interlocked.Exchange(ref commitsBehind, commits);
}
