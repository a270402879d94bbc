using System.Data.Common;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Builders;

/// <summary>
/// One builder's WebSocket: the handshake (hello, a fresh challenge, its signature, welcome), then heartbeats that
/// keep its last-seen time. A builder that is unknown, disabled, speaks another protocol version or cannot sign the
/// challenge is refused with the reason, and the attempt is logged.
/// </summary>
internal sealed partial class BuilderConnectionHandler(
    IServiceScopeFactory scopes, IOptions<BuilderFleetOptions> options, BuilderConnections connections, ILogger<BuilderConnectionHandler> logger)
{
    /// <summary>The most jobs a builder may say it holds at once (its builds and the metadata jobs beside them).</summary>
    public const int MaxCapacity = 64;

    /// <summary>A connected builder sends heartbeats far more often than this.</summary>
    private static readonly TimeSpan SilenceLimit = TimeSpan.FromMinutes(2);

    /// <summary>How long an idle builder waits before asking again.</summary>
    private static readonly TimeSpan NoJobRetry = TimeSpan.FromSeconds(2);

    /// <summary>How long a connection that was closed waits for the builder's side of the close.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    /// <summary>The most messages read ahead of their handling, and so the most results recorded together.</summary>
    private const int ReadAhead = 32;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem("This endpoint speaks the builder protocol over WebSocket.", statusCode: StatusCodes.Status400BadRequest)
                .ExecuteAsync(context);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var connectionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        ConnectedBuilder? builder;
        using (var activity = ApiTelemetry.Source.StartActivity("Builder handshake"))
        {
            activity?.SetTag("buildsrs.builder.connection", connectionId);
            try
            {
                builder = await HandshakeAsync(socket, connectionId, remote, context.RequestAborted);
            }
            catch (BuilderProtocolException ex)
            {
                await RefuseAsync(socket, ex.Message, remote, null);
                return;
            }
            catch (OperationCanceledException)
            {
                await RefuseAsync(socket, "the handshake took too long", remote, null);
                return;
            }
            activity?.SetTag("buildsrs.builder.name", builder?.Name);
        }
        if (builder is not null)
        {
            await FollowAsync(socket, builder, context.RequestAborted);
        }
    }

    /// <summary>The builder once it has proved its key; null when it was refused.</summary>
    private async Task<ConnectedBuilder?> HandshakeAsync(WebSocket socket, string connectionId, string remote, CancellationToken aborted)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        step.CancelAfter(options.Value.HandshakeTimeout);
        var hello = await BuilderSocket.ExpectAsync<Hello>(socket, step.Token);
        if (hello.ProtocolVersion != BuilderSignature.ProtocolVersion)
        {
            return await RefuseAsync(socket, $"protocol version {hello.ProtocolVersion} is not supported: this Api speaks version {BuilderSignature.ProtocolVersion}; update the builder", remote, hello.Fingerprint);
        }
        if (hello.Capacity is < 1 or > MaxCapacity)
        {
            return await RefuseAsync(socket, $"a builder's capacity is 1 to {MaxCapacity} jobs at once, not {hello.Capacity}", remote, hello.Fingerprint);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        var builder = await db.Builders.Include(b => b.Host).SingleOrDefaultAsync(b => b.Fingerprint == hello.Fingerprint, step.Token);
        if (builder is null)
        {
            return await RefuseAsync(socket, $"unknown builder key {hello.Fingerprint}: enroll it first", remote, hello.Fingerprint);
        }
        if (!builder.Enabled)
        {
            return await RefuseAsync(socket, $"builder '{builder.Name}' is disabled", remote, hello.Fingerprint);
        }
        if (!builder.Host.Enabled)
        {
            return await RefuseAsync(socket, $"builder host '{builder.Host.Name}' is disabled", remote, hello.Fingerprint);
        }

        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await BuilderSocket.SendAsync(socket, new Challenge(connectionId, nonce), step.Token);
        var response = await BuilderSocket.ExpectAsync<ChallengeResponse>(socket, step.Token);
        if (!BuilderSignature.Verify(builder.PublicKey, connectionId, nonce, response.Signature))
        {
            return await RefuseAsync(socket, "the signature does not match the builder's key and this challenge", remote, hello.Fingerprint);
        }

        await SeenAsync(db, builder.Id, step.Token);
        await BuilderSocket.SendAsync(socket, new Welcome(builder.Name), step.Token);
        LogAccepted(logger, builder.Name, hello.Fingerprint, remote, hello.BuilderVersion);
        return new ConnectedBuilder(builder.Id, builder.Name, [.. hello.Targets.Intersect(builder.AllowedTargets)], hello.Capacity);
    }

    /// <summary>Serves the builder: heartbeats extend its leases, job requests get jobs or a "try later", results are
    /// recorded. Messages are read ahead of their handling, so that results which arrived together (a builder that
    /// classified a batch) are recorded in one statement.</summary>
    private async Task FollowAsync(WebSocket socket, ConnectedBuilder builder, CancellationToken aborted)
    {
        // What happens to a job belongs to the job's trace, not under this connection's request, which lasts for hours.
        Activity.Current = null;
        ApiTelemetry.BuilderConnected(+1);
        var inbox = Channel.CreateBounded<BuilderMessage>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var reader = ReadAsync(socket, inbox.Writer, reading.Token);
        using var disabled = new CancellationTokenSource();
        using var listed = connections.Register(builder.Id, disabled);
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(aborted, disabled.Token);
        aborted = serving.Token;
        // Jobs whose log reached its cap: their later chunks are dropped here, without a query each.
        var fullLogs = new HashSet<long>();
        try
        {
            // A read that failed (the builder went silent or away, a malformed message) ends the wait with its exception.
            while (await inbox.Reader.WaitToReadAsync(aborted))
            {
                inbox.Reader.TryRead(out var message);
                if (message is JobLog dropped && fullLogs.Contains(dropped.JobId))
                {
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    if (message is JobFinished finished)
                    {
                        await RecordAsync(socket, builder, Together(finished, inbox.Reader), scope.ServiceProvider, aborted);
                    }
                    else
                    {
                        await HandleAsync(socket, builder, message!, scope.ServiceProvider, fullLogs, aborted);
                    }
                }
                catch (Exception ex) when (message is not JobFinished && ex is DbException or TimeoutException or InvalidOperationException)
                {
                    // The database is away for a moment: a heartbeat or a log chunk is lost, a request gets "later".
                    // The connection stays, so the builder's build and lease carry on once the database is back.
                    // A result is never dropped: its failure ends the connection and the builder sends it again.
                    LogDatabaseUnavailable(logger, builder.Name, ex.Message);
                    if (message is JobRequest request)
                    {
                        await BuilderSocket.SendAsync(socket, new NoJob((int)NoJobRetry.TotalMilliseconds, request.RequestId), aborted);
                    }
                }
            }
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (BuilderProtocolException ex)
        {
            await RefuseAsync(socket, ex.Message, builder.Name, null);
        }
        catch (OperationCanceledException) when (disabled.IsCancellationRequested)
        {
            await RefuseAsync(socket, $"builder '{builder.Name}' was disabled", builder.Name, null);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // A builder that goes away or falls silent is simply gone; its leases run out on their own.
            LogGone(logger, builder.Name);
        }
        finally
        {
            // After a close (a refusal), the builder's answer ends the read; cancelling a read aborts the connection,
            // which could drop the close before the builder has it.
            if (socket.State == WebSocketState.CloseSent)
            {
                await Task.WhenAny(reader, Task.Delay(CloseWait, CancellationToken.None));
            }
            await reading.CancelAsync();
            await reader;
            ApiTelemetry.BuilderConnected(-1);
        }
    }

    /// <summary>Reads the builder's messages into <paramref name="inbox"/> until it closes the connection (the inbox
    /// completes) or a read fails (the inbox completes with that exception).</summary>
    private static async Task ReadAsync(WebSocket socket, ChannelWriter<BuilderMessage> inbox, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                silence.CancelAfter(SilenceLimit);
                if (await BuilderSocket.ReceiveAsync(socket, silence.Token) is not { } message)
                {
                    inbox.Complete();
                    return;
                }
                await inbox.WriteAsync(message, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            inbox.Complete(ex);
        }
    }

    /// <summary>A result with the results that came right after it.</summary>
    private static List<JobFinished> Together(JobFinished first, ChannelReader<BuilderMessage> inbox)
    {
        var results = new List<JobFinished> { first };
        while (inbox.TryPeek(out var next) && next is JobFinished && inbox.TryRead(out next))
        {
            results.Add((JobFinished)next);
        }
        return results;
    }

    private async Task RecordAsync(WebSocket socket, ConnectedBuilder builder, List<JobFinished> results, IServiceProvider services,
        CancellationToken aborted)
    {
        var answers = await services.GetRequiredService<JobLifecycle>().FinishAllAsync(builder.Id, results, aborted);
        foreach (var (finished, answer) in results.Zip(answers))
        {
            if (answer is ResultRecording.Discarded { Reason: var reason })
            {
                LogResultDiscarded(logger, builder.Name, finished.JobId, reason);
                await BuilderSocket.SendAsync(socket, new JobResultDiscarded(finished.JobId, reason), aborted);
            }
            else
            {
                await BuilderSocket.SendAsync(socket, new JobResultRecorded(finished.JobId), aborted);
            }
        }
    }

    private static async Task HandleAsync(WebSocket socket, ConnectedBuilder builder, BuilderMessage message, IServiceProvider services,
        HashSet<long> fullLogs, CancellationToken aborted)
    {
        var lifecycle = services.GetRequiredService<JobLifecycle>();
        switch (message)
        {
            case Heartbeat heartbeat:
                IReadOnlyList<long> lostJobs;
                using (JobTelemetry.Quiet())
                {
                    if (await SeenAsync(services.GetRequiredService<BuildsRsDbContext>(), builder.Id, aborted) == 0)
                    {
                        throw new BuilderProtocolException($"builder '{builder.Name}' is disabled");
                    }
                    lostJobs = await lifecycle.ExtendLeasesAsync(builder.Id, heartbeat.Jobs ?? [], aborted);
                }
                foreach (var lost in lostJobs)
                {
                    // Cancelled, or its lease ran out and the job went to another builder: the build can stop.
                    await BuilderSocket.SendAsync(socket, new JobResultDiscarded(lost, "this builder does not hold that job"), aborted);
                }
                break;
            case JobRequest { Count: < 1 or > JobLifecycle.MaxClaimCount }:
                throw new BuilderProtocolException($"a job request asks for 1 to {JobLifecycle.MaxClaimCount} jobs");
            case JobRequest request:
                var jobs = await services.GetRequiredService<JobAssignments>().ClaimAsync(builder, request, aborted);
                foreach (var job in jobs)
                {
                    await BuilderSocket.SendAsync(socket, job, aborted);
                }
                if (jobs.Count < request.Count)
                {
                    await BuilderSocket.SendAsync(socket, new NoJob((int)NoJobRetry.TotalMilliseconds, request.RequestId), aborted);
                }
                break;
            case JobLog log:
                LogAppend appended;
                using (JobTelemetry.Quiet())
                {
                    appended = await lifecycle.AppendLogAsync(builder.Id, log, aborted);
                }
                if (appended == LogAppend.Full)
                {
                    fullLogs.Add(log.JobId);
                }
                else if (appended == LogAppend.NotHeld)
                {
                    await BuilderSocket.SendAsync(socket, new JobResultDiscarded(log.JobId, "this builder does not hold that job"), aborted);
                }
                break;
            default:
                throw new BuilderProtocolException($"unexpected '{message.GetType().Name}'");
        }
    }

    /// <summary>The builder's last-seen time, on the database's clock like every other stored time; 0 when it is disabled.</summary>
    private static Task<int> SeenAsync(BuildsRsDbContext db, long builderId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"UPDATE builders b SET last_seen_at = now() FROM builder_hosts h WHERE b.id = {builderId} AND b.enabled AND h.id = b.host_id AND h.enabled", cancellationToken);

    private async Task<ConnectedBuilder?> RefuseAsync(WebSocket socket, string reason, string remote, string? fingerprint)
    {
        LogRefused(logger, remote, fingerprint ?? "-", reason);
        if (socket.State != WebSocketState.Open)
        {
            return null;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await BuilderSocket.SendAsync(socket, new Refused(reason), timeout.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "refused", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            socket.Abort();
        }
        return null;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Builder {Name} ({Fingerprint}) connected from {Remote}, version {Version}")]
    private static partial void LogAccepted(ILogger logger, string name, string fingerprint, string remote, string version);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Refused builder connection from {Remote} (key {Fingerprint}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string fingerprint, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Discarded the result of job {JobId} from builder {Name}: {Reason}")]
    private static partial void LogResultDiscarded(ILogger logger, string name, long jobId, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "The database did not answer a message of builder {Name}: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Builder {Name} disconnected")]
    private static partial void LogGone(ILogger logger, string name);
}

/// <param name="Capacity">The most jobs it holds at once, as its hello said.</param>
internal sealed record ConnectedBuilder(long Id, string Name, IReadOnlyList<string> Targets, int Capacity);
