using System.Diagnostics;
using System.Diagnostics.Metrics;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Data.Jobs;

/// <summary>
/// The spans and metrics of a job's life. A job row keeps the W3C trace context of whatever queued it (the sync pass
/// that found the version, the metadata result that fanned out, an operator's request), so its claim, build and
/// result land in that trace: one trace per build, from "version found" to "artifact stored".
/// </summary>
public static class JobTelemetry
{
    public const string SourceName = "BuildsRs.Jobs";
    public static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);

    private static readonly Counter<long> Claims = Meter.CreateCounter<long>("buildsrs.jobs.claims", "{job}", "Jobs handed to builders");
    private static readonly Counter<long> Finished = Meter.CreateCounter<long>("buildsrs.jobs.finished", "{job}", "Jobs ended, by kind and outcome");
    private static readonly Counter<long> Verifications = Meter.CreateCounter<long>("buildsrs.jobs.verifications", "{artifact}",
        "Artifacts built again by a second builder, by target and result (reproduced or differs)");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("buildsrs.jobs.duration", "s",
        "How long a job ran on its builder, by kind, target and outcome");

    /// <summary>The context a job's rows carry for whatever the current span is (null when nothing is traced).</summary>
    public static string? CurrentTraceParent() => Activity.Current is { } current && current.IdFormat == ActivityIdFormat.W3C ? current.Id : null;

    /// <summary>
    /// Keeps what runs until disposal out of the traces: a heartbeat, or a claim that may find nothing, happens every few
    /// seconds for every builder, and each of its database calls would otherwise be a trace of its own. It runs under
    /// a parent that is not sampled, so nothing under it is recorded.
    /// </summary>
    public static IDisposable Quiet()
    {
        var previous = Activity.Current;
        var unsampled = new Activity("buildsrs.untraced");
        unsampled.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
        unsampled.Start();
        return new Restore(unsampled, previous);
    }

    /// <summary>Starts a span in the trace of a job (a new trace when the row carries none).</summary>
    public static Activity? StartInJob(string name, string? traceParent, long jobId, DateTimeOffset startTime = default)
    {
        var parent = traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
        // A job's trace does not belong under whatever request or connection happened to carry the message.
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime);
        activity?.SetTag("buildsrs.job.id", jobId);
        return activity;
    }

    private sealed class Restore(Activity unsampled, Activity? previous) : IDisposable
    {
        public void Dispose()
        {
            unsampled.Stop();
            Activity.Current = previous;
        }
    }

    public static void Claimed(JobKind kind, string? target) =>
        Claims.Add(1, new KeyValuePair<string, object?>("kind", EnumText.Of(kind)), new KeyValuePair<string, object?>("target", target ?? "none"));

    public static void Verified(string? target, bool reproduced) => Verifications.Add(1,
        new KeyValuePair<string, object?>("target", target ?? "none"), new KeyValuePair<string, object?>("result", reproduced ? "reproduced" : "differs"));

    public static void Ended(JobKind kind, string? target, JobOutcome outcome, TimeSpan? ran)
    {
        var tags = new TagList { { "kind", EnumText.Of(kind) }, { "target", target ?? "none" }, { "outcome", EnumText.Of(outcome) } };
        Finished.Add(1, tags);
        if (ran is { } duration)
        {
            Duration.Record(duration.TotalSeconds, tags);
        }
    }
}
