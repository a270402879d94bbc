using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BuildsRs.Api.Infrastructure;

/// <summary>The Api's own spans and the figures operators watch on the dashboard (the job lifecycle's are in
/// <see cref="Data.Jobs.JobTelemetry"/>).</summary>
internal static class ApiTelemetry
{
    public const string SourceName = "BuildsRs.Api";
    public static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);

    private static readonly UpDownCounter<long> ConnectedBuilders = Meter.CreateUpDownCounter<long>("buildsrs.builders.connected", "{builder}",
        "Builders connected to this Api instance");
    private static readonly Counter<long> UploadedBytes = Meter.CreateCounter<long>("buildsrs.uploads.bytes", "By", "Artifact bytes verified and stored");
    private static readonly Counter<long> Downloads = Meter.CreateCounter<long>("buildsrs.downloads", "{download}", "Archive downloads, by target");

    private static readonly UpDownCounter<long> LiveLogStreamsOpen = Meter.CreateUpDownCounter<long>("buildsrs.logs.streams", "{stream}",
        "Live log streams open on this Api instance");
    private static readonly Counter<long> Throttled = Meter.CreateCounter<long>("buildsrs.requests.throttled", "{request}",
        "Public requests refused for going over a client's limit, by limit");

    public static void BuilderConnected(int change) => ConnectedBuilders.Add(change);

    public static void LiveLogStreams(int change) => LiveLogStreamsOpen.Add(change);

    public static void RequestThrottled(string limit) => Throttled.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public static void Uploaded(long bytes, string target) => UploadedBytes.Add(bytes, new KeyValuePair<string, object?>("target", target));

    public static void Downloaded(string target) => Downloads.Add(1, new KeyValuePair<string, object?>("target", target));

    /// <summary>Reports the queue's length by kind and target, as the last sample read it.</summary>
    public static void ObserveQueue(Func<IEnumerable<Measurement<long>>> queued) =>
        Meter.CreateObservableGauge("buildsrs.queue.jobs", queued, "{job}", "Queued jobs, by kind and target");
}
