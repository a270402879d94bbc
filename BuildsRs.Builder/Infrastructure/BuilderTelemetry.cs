using System.Diagnostics;
using System.Diagnostics.Metrics;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// The builder's spans and figures: a span for the whole job (a child of the claim, whose trace context comes with
/// <c>job-assigned</c>) and one for each step (download, checksum, unpack, metadata, fetch, build, package, upload),
/// with the duration of each step and of each job by outcome.
/// </summary>
public static class BuilderTelemetry
{
    public const string SourceName = "BuildsRs.Builder";
    public static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("buildsrs.builder.step.duration", "s",
        "How long each step of a job took on the builder, by step");
    private static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("buildsrs.builder.job.duration", "s",
        "How long a job took on the builder, by kind, target and outcome");

    /// <summary>Starts the job's span in the trace the Api gave (a new trace when it gave none).</summary>
    public static Activity? StartJob(JobKind kind, string? traceParent) =>
        Source.StartActivity($"Run {EnumText.Of(kind)} job", ActivityKind.Internal,
            traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent) ? parent : default);

    /// <summary>A step of the running job: its span, and its duration once disposed.</summary>
    public static StepSpan StartStep(string name) => new(name, Source.StartActivity(name));

    public static void JobEnded(JobKind kind, string? target, JobOutcome outcome, TimeSpan duration) =>
        JobDuration.Record(duration.TotalSeconds, new TagList { { "kind", EnumText.Of(kind) }, { "target", target ?? "none" }, { "outcome", EnumText.Of(outcome) } });

    public sealed class StepSpan(string name, Activity? activity) : IDisposable
    {
        private readonly long started = Stopwatch.GetTimestamp();

        public Activity? Activity => activity;

        public void Dispose()
        {
            StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("step", name));
            activity?.Dispose();
        }
    }
}
