using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using BuildsRs.Contracts.Builders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Polly;
using Polly.Retry;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// Keeps this builder connected to the Api: enrolls its key when it has an enrollment token, authenticates on the
/// WebSocket (hello, signed challenge, welcome), serves the connection as a <see cref="BuilderSession"/>, and
/// reconnects with a growing delay when the Api goes away. A job in progress is not tied to a connection (see <see cref="JobSlot"/>).
/// </summary>
internal sealed partial class ApiConnection(
    BuilderKey key, IOptions<BuilderOptions> options, IHttpClientFactory http, ServiceEndpointResolver resolver,
    ApiConnectionState state, JobSlots slots, BuildImages images, ILogger<ApiConnection> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A connection that cannot be made is tried again after 2 s, 4 s, 8 s… up to 30 s. Once one is made the delay
        // starts over: when it ends, for whatever reason, the next is tried a second later.
        var connecting = new ResiliencePipelineBuilder<(ClientWebSocket, string)>().AddRetry(new RetryStrategyOptions<(ClientWebSocket, string)>
        {
            ShouldHandle = new PredicateBuilder<(ClientWebSocket, string)>().Handle<Exception>(IsConnectionFault),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(2),
            MaxDelay = MaxBackoff,
            OnRetry = failed =>
            {
                state.Down(failed.Outcome.Exception!.Message);
                LogConnectionFailed(logger, failed.Outcome.Exception.Message, failed.AttemptNumber + 1);
                return default;
            },
        }).Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (socket, name) = await connecting.ExecuteAsync(ConnectAsync, stoppingToken);
                using (socket)
                {
                    state.Up(name);
                    LogConnected(logger, name);
                    await ServeAsync(socket, stoppingToken);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Enrolls, connects and authenticates; returns the socket, welcomed under the builder's name.</summary>
    private async ValueTask<(ClientWebSocket, string)> ConnectAsync(CancellationToken cancellationToken)
    {
        var targets = await images.FindPresentTargetsAsync(cancellationToken);
        await EnrollAsync(targets, cancellationToken);
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(await SocketUriAsync(cancellationToken), cancellationToken);
            return (socket, await AuthenticateAsync(socket, targets, cancellationToken));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Serves the connection until it ends; the jobs in the slots go on either way.</summary>
    private async Task ServeAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        try
        {
            using var session = new BuilderSession(socket, slots, logger, stoppingToken);
            await session.RunAsync();
            state.Down("the Api closed the connection");
        }
        catch (Exception ex) when (IsConnectionFault(ex))
        {
            state.Down(ex.Message);
            LogConnectionFailed(logger, ex.Message, 1);
        }
    }

    private static bool IsConnectionFault(Exception ex) =>
        ex is WebSocketException or HttpRequestException or BuilderProtocolException or IOException or InvalidOperationException;

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

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Connection to the Api failed ({Failures} in a row): {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string reason, int failures);
}
