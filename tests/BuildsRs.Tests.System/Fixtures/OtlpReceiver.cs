using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// An OTLP/HTTP receiver (protobuf) that the whole system under test exports its telemetry to, keeping what the tests
/// read: every span (trace, span, parent, name, service) and how many data points each metric had, per service. The
/// messages are read field by field with protobuf's own wire reader, by the field numbers of the OTLP protocol.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    /// <summary>The fields of a metric that hold data points: gauge, sum, histogram.</summary>
    private static readonly int[] DataKinds = [5, 7, 9];

    private readonly ConcurrentQueue<ReceivedSpan> spans = new();
    private readonly ConcurrentDictionary<(string Metric, string Service), long> points = new();
    private LoopbackSite? site;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => spans;

    /// <summary>How many data points each metric had, by service.</summary>
    public IReadOnlyDictionary<(string Metric, string Service), long> MetricPoints => points;

    public async Task StartAsync()
    {
        site = await LoopbackSite.StartAsync(app =>
        {
            app.MapPost("/v1/traces", async (HttpRequest request) => Accept(await BodyAsync(request), ReadSpans));
            app.MapPost("/v1/metrics", async (HttpRequest request) => Accept(await BodyAsync(request), ReadMetrics));
            app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        });
        Endpoint = site.Url;
    }

    public async ValueTask DisposeAsync()
    {
        if (site is not null)
        {
            await site.DisposeAsync();
        }
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    /// <summary>An empty export response: everything was accepted.</summary>
    private static IResult Accept(byte[] body, Action<ByteString> read)
    {
        read(ByteString.CopyFrom(body));
        return Results.Bytes([], "application/x-protobuf");
    }

    // ExportTraceServiceRequest: 1 resource_spans { 1 resource, 2 scope_spans { 2 spans { 1 trace_id, 2 span_id, 4 parent_span_id, 5 name } } }
    private void ReadSpans(ByteString request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = ServiceOf(resourceSpans);
            foreach (var span in Fields(resourceSpans, 2).SelectMany(scope => Fields(scope, 2)))
            {
                var parent = Fields(span, 4).FirstOrDefault();
                spans.Enqueue(new ReceivedSpan(Hex(Fields(span, 1).Single()), Hex(Fields(span, 2).Single()),
                    parent is null || parent.IsEmpty ? null : Hex(parent), Fields(span, 5).Single().ToStringUtf8(), service));
            }
        }
    }

    // ExportMetricsServiceRequest: 1 resource_metrics { 1 resource, 2 scope_metrics { 2 metrics { 1 name, 5 gauge | 7 sum | 9 histogram { 1 data_points } } } }
    private void ReadMetrics(ByteString request)
    {
        foreach (var resourceMetrics in Fields(request, 1))
        {
            var service = ServiceOf(resourceMetrics);
            foreach (var metric in Fields(resourceMetrics, 2).SelectMany(scope => Fields(scope, 2)))
            {
                var name = Fields(metric, 1).Single().ToStringUtf8();
                var count = DataKinds.SelectMany(kind => Fields(metric, kind)).Sum(data => Fields(data, 1).Count);
                points.AddOrUpdate((name, service), count, (_, before) => before + count);
            }
        }
    }

    // Resource: 1 attributes { 1 key, 2 value { 1 string_value } }
    private static string ServiceOf(ByteString resourceItems) =>
        Fields(resourceItems, 1).SelectMany(resource => Fields(resource, 1))
            .Where(attribute => Fields(attribute, 1).Single().ToStringUtf8() == "service.name")
            .Select(attribute => Fields(Fields(attribute, 2).Single(), 1).Single().ToStringUtf8())
            .FirstOrDefault() ?? "";

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a message (sub-messages, strings, bytes).</summary>
    private static List<ByteString> Fields(ByteString message, int number)
    {
        var found = new List<ByteString>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}

/// <summary>A span as the receiver got it; ids are lower-case hex, as in a W3C traceparent.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Service);
