using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Threading.Channels;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// Keeps this builder connected to the Api: enrolls its key when it has an enrollment token, authenticates on the
/// WebSocket (hello, signed challenge, welcome), sends heartbeats, and reconnects with a growing delay when the
/// Api goes away.
/// </summary>
internal sealed partial class ApiConnection(
    BuilderKey key, IOptions<BuilderOptions> options, IHttpClientFactory http, ServiceEndpointResolver resolver,
    ApiConnectionState state, JobRunner runner, ILogger<ApiConnection> logger) : BackgroundService
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
                await EnrollAsync(stoppingToken);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(await SocketUriAsync(stoppingToken), stoppingToken);
                var name = await AuthenticateAsync(socket, stoppingToken);
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

    private async Task EnrollAsync(CancellationToken cancellationToken)
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
            Content = JsonContent.Create(new EnrollRequest(key.Name, Convert.ToBase64String(key.PublicKey), settings.Targets), BuilderJsonContext.Default.EnrollRequest),
        };
        request.Headers.Authorization = new("Bearer", settings.EnrollmentToken);
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"enrollment refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private async Task<string> AuthenticateAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await BuilderSocket.SendAsync(socket, new Hello(BuilderSignature.ProtocolVersion, BuilderSignature.Fingerprint(key.PublicKey),
            typeof(ApiConnection).Assembly.GetName().Version?.ToString() ?? "unknown", settings.Targets, settings.Capacity), cancellationToken);
        var challenge = await BuilderSocket.ExpectAsync<Challenge>(socket, cancellationToken);
        await BuilderSocket.SendAsync(socket, new ChallengeResponse(BuilderSignature.Sign(key.Key, challenge.ConnectionId, challenge.Nonce)), cancellationToken);
        return (await BuilderSocket.ExpectAsync<Welcome>(socket, cancellationToken)).BuilderName;
    }

    /// <summary>
    /// Asks for jobs and runs them one at a time, while heartbeats keep this builder's leases alive. One task reads the
    /// socket; sends from the job loop and the heartbeats take turns.
    /// </summary>
    private async Task ServeAsync(WebSocket socket, CancellationToken stoppingToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var sending = new SemaphoreSlim(1, 1);
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

        var replies = Channel.CreateUnbounded<BuilderMessage>();
        var receiving = Task.Run(async () =>
        {
            try
            {
                while (await BuilderSocket.ReceiveAsync(socket, session.Token) is { } message)
                {
                    switch (message)
                    {
                        case Refused refused:
                            throw new BuilderProtocolException($"refused: {refused.Reason}");
                        case JobResultDiscarded discarded:
                            LogResultDiscarded(logger, discarded.JobId, discarded.Reason);
                            break;
                        default:
                            replies.Writer.TryWrite(message);
                            break;
                    }
                }
                replies.Writer.Complete();
            }
            catch (Exception ex)
            {
                replies.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        var heartbeats = Task.Run(async () =>
        {
            while (!session.IsCancellationRequested)
            {
                await Task.Delay(HeartbeatInterval, session.Token);
                await SendAsync(new Heartbeat());
            }
        }, CancellationToken.None);

        try
        {
            while (true)
            {
                await SendAsync(new JobRequest(JobRunner.Kinds));
                switch (await replies.Reader.ReadAsync(session.Token))
                {
                    case NoJob wait:
                        await Task.Delay(wait.RetryAfterMs, session.Token);
                        break;
                    case JobAssigned job:
                        await SendAsync(await runner.RunAsync(job, SendAsync, session.Token));
                        break;
                    case var other:
                        throw new BuilderProtocolException($"unexpected '{other.GetType().Name}'");
                }
            }
        }
        catch (ChannelClosedException closed) when (closed.InnerException is { } reason)
        {
            throw reason is BuilderProtocolException or WebSocketException ? reason : new IOException(reason.Message, reason);
        }
        catch (ChannelClosedException)
        {
            // The Api closed the connection; the caller reconnects.
        }
        finally
        {
            await session.CancelAsync();
            try
            {
                await Task.WhenAll(receiving, heartbeats);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // The heartbeats stop by cancellation or with the socket; the reader reports through the channel.
            }
        }
    }

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
