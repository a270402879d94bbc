using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Collections.Concurrent;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// Keeps this builder connected to the Api: enrolls its key when it has an enrollment token, authenticates on the
/// WebSocket (hello, signed challenge, welcome), sends heartbeats, and reconnects with a growing delay when the
/// Api goes away. A job in progress is not tied to a connection (see <see cref="JobSlot"/>).
/// </summary>
internal sealed partial class ApiConnection(
    BuilderKey key, IOptions<BuilderOptions> options, IHttpClientFactory http, ServiceEndpointResolver resolver,
    ApiConnectionState state, JobSlots slots, BuildImages images, ILogger<ApiConnection> logger) : BackgroundService
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var targets = await images.FindPresentTargetsAsync(stoppingToken);
                await EnrollAsync(targets, stoppingToken);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(await SocketUriAsync(stoppingToken), stoppingToken);
                var name = await AuthenticateAsync(socket, targets, stoppingToken);
                state.Up(name);
                failures = 0;
                LogConnected(logger, name);
                await ServeAsync(socket, stoppingToken);
                state.Down("the Api closed the connection");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or BuilderProtocolException or IOException or InvalidOperationException)
            {
                failures++;
                state.Down(ex.Message);
                LogConnectionFailed(logger, ex.Message, failures);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 5)))), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EnrollAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.EnrollmentToken))
        {
            return;
        }
        using var client = http.CreateClient("api");
        client.BaseAddress = settings.ApiUrl;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/builders/enroll")
        {
            Content = JsonContent.Create(new EnrollRequest(key.Name, Convert.ToBase64String(key.PublicKey), [.. targets]), BuilderJsonContext.Default.EnrollRequest),
        };
        request.Headers.Authorization = new("Bearer", settings.EnrollmentToken);
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"enrollment refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private async Task<string> AuthenticateAsync(WebSocket socket, IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await BuilderSocket.SendAsync(socket, new Hello(BuilderSignature.ProtocolVersion, BuilderSignature.Fingerprint(key.PublicKey),
            typeof(ApiConnection).Assembly.GetName().Version?.ToString() ?? "unknown", [.. targets], settings.Capacity + settings.MetadataSlots), cancellationToken);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, cancellationToken);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(BuilderSignature.Sign(key.Key, challenge.ConnectionId, challenge.Nonce)), cancellationToken);
        return (await BuilderSocket.ExpectAsync<Welcome>(socket, cancellationToken)).BuilderName;
    }

    /// <summary>
    /// Asks for jobs whenever slots are free, one request for all the free slots of a kind (the metadata slots take a
    /// batch in one claim); heartbeats keep the slots' leases alive and their logs and results go out as they come.
    /// One task reads the socket; sends take turns. The Api answers job requests in the order they came, so the
    /// assignments go to the request that was sent first until it has what it asked for or a "no job" ends it.
    /// Whichever task sees the connection end first ends the session with its reason; the jobs in the slots go on.
    /// </summary>
    private async Task ServeAsync(WebSocket socket, CancellationToken stoppingToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var sending = new SemaphoreSlim(1, 1);
        Exception? ended = null;
        void End(Exception reason)
        {
            Interlocked.CompareExchange(ref ended, reason, null);
            session.Cancel();
        }
        async Task SendAsync(BuilderMessage message)
        {
            await sending.WaitAsync(session.Token);
            try
            {
                await BuilderSocket.SendAsync(socket, message, session.Token);
            }
            finally
            {
                sending.Release();
            }
        }
        Task Guard(Func<Task> work) => Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception ex)
            {
                End(ex);
            }
        }, CancellationToken.None);

        // The requests waiting for their answers, in the order they went out.
        var asked = new ConcurrentQueue<JobRequestAnswer>();
        async Task<JobRequestAnswer> RequestAsync(IReadOnlyList<JobKind> kinds, int count)
        {
            var answer = new JobRequestAnswer(count);
            await sending.WaitAsync(session.Token);
            try
            {
                asked.Enqueue(answer);
                await BuilderSocket.SendAsync(socket, new JobRequest(kinds, count), session.Token);
            }
            finally
            {
                sending.Release();
            }
            await answer.Done.WaitAsync(session.Token);
            return answer;
        }
        var receiving = Guard(async () =>
        {
            while (await BuilderSocket.ReceiveAsync(socket, session.Token) is { } message)
            {
                switch (message)
                {
                    case Refused refused:
                        throw new BuilderProtocolException($"refused: {refused.Reason}");
                    case JobResultRecorded recorded:
                        slots.Confirmed(recorded.JobId);
                        break;
                    case JobResultDiscarded discarded:
                        LogResultDiscarded(logger, discarded.JobId, discarded.Reason);
                        slots.Discarded(discarded.JobId);
                        break;
                    case JobAssigned or NoJob when asked.TryPeek(out var answer):
                        if (answer.Take(message))
                        {
                            asked.TryDequeue(out _);
                        }
                        break;
                    default:
                        throw new BuilderProtocolException($"unexpected '{message.GetType().Name}'");
                }
            }
            throw new ConnectionClosedException();
        });
        var heartbeats = Guard(async () =>
        {
            // The first one at once: a job carried over from a lost connection may be near the end of its lease.
            while (true)
            {
                await SendAsync(new Heartbeat(slots.Jobs));
                await Task.Delay(HeartbeatInterval, session.Token);
            }
        });
        var outgoing = slots.All.Select(s => Guard(() => s.Slot.SendWaitingAsync(SendAsync, session.Token)));
        var asking = slots.All.GroupBy(s => s.Kinds).Select(kind => Guard(async () =>
        {
            var group = kind.Select(s => s.Slot).ToList();
            while (true)
            {
                await Task.WhenAny(group.Select(slot => slot.Free)).WaitAsync(session.Token);
                var free = group.Where(slot => slot.Free.IsCompleted).ToList();
                var answer = await RequestAsync(kind.Key, free.Count);
                foreach (var (slot, job) in free.Zip(answer.Jobs))
                {
                    slot.Start(job, stoppingToken);
                }
                // Fewer than asked for: the queue has none left for this kind now.
                if (answer.RetryAfter is { } wait)
                {
                    await Task.Delay(wait, session.Token);
                }
            }
        }));

        await Task.WhenAll([receiving, heartbeats, .. outgoing, .. asking]);
        stoppingToken.ThrowIfCancellationRequested();
        switch (ended)
        {
            case ConnectionClosedException:
                return;
            case BuilderProtocolException or WebSocketException or IOException:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ended);
                break;
            default:
                throw new IOException(ended?.Message ?? "the connection ended", ended);
        }
    }

    /// <summary>The answer to one job request: the jobs assigned, until there are as many as asked for or a "no job"
    /// says there are no more now.</summary>
    private sealed class JobRequestAnswer(int count)
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<JobAssigned> Jobs { get; } = [];

        public TimeSpan? RetryAfter { get; private set; }

        public Task Done => done.Task;

        /// <summary>Takes the next answer; true once the request is answered in full.</summary>
        public bool Take(BuilderMessage message)
        {
            if (message is NoJob none)
            {
                RetryAfter = TimeSpan.FromMilliseconds(none.RetryAfterMs);
            }
            else
            {
                Jobs.Add((JobAssigned)message);
            }
            if (RetryAfter is null && Jobs.Count < count)
            {
                return false;
            }
            done.SetResult();
            return true;
        }
    }

    /// <summary>The Api closed the connection in good order.</summary>
    private sealed class ConnectionClosedException : Exception;

    /// <summary>The WebSocket address of the Api, through service discovery.</summary>
    private async Task<Uri> SocketUriAsync(CancellationToken cancellationToken)
    {
        var api = options.Value.ApiUrl;
        var endpoints = await resolver.GetEndpointsAsync(api.GetLeftPart(UriPartial.Authority), cancellationToken);
        var authority = (endpoints.Endpoints.Count > 0 ? endpoints.Endpoints[0].EndPoint : null) switch
        {
            UriEndPoint uri => uri.Uri.Authority,
            DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
            IPEndPoint ip => ip.ToString(),
            _ => throw new InvalidOperationException($"no address for {api}"),
        };
        return new Uri($"{(api.Scheme == "https" ? "wss" : "ws")}://{authority}/api/v1/builders/connect");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to the Api as {Name}")]
    private static partial void LogConnected(ILogger logger, string name);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The Api discarded the result of job {JobId}: {Reason}")]
    private static partial void LogResultDiscarded(ILogger logger, long jobId, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Connection to the Api failed ({Failures} in a row): {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string reason, int failures);
}
