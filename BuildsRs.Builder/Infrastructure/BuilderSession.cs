using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.ExceptionServices;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// One authenticated connection to the Api, served by named loops that run together: <see cref="ReceiveAsync"/> reads
/// every message, <see cref="HeartbeatAsync"/> keeps the slots' leases alive, <see cref="AskAsync"/> asks for work
/// whenever slots of a kind are free (one request for all of them), and each slot sends its log and result as they
/// come. Sends take turns. Each job request has an id, which the Api's assignments and "no job" carry, so an answer
/// goes to the request it is for. Whichever loop sees the connection end first ends the session with its reason; the
/// jobs in the slots go on and report on the next connection.
/// </summary>
/// <param name="stoppingToken">The builder stopping; jobs started in a session run until it does.</param>
internal sealed partial class BuilderSession(WebSocket socket, JobSlots slots, ILogger logger, CancellationToken stoppingToken) : IDisposable
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentDictionary<long, JobRequestAnswer> asked = new();
    private readonly CancellationToken stopping = stoppingToken;
    private readonly CancellationTokenSource session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
    private long lastRequestId;
    private Exception? ended;

    /// <summary>Serves the connection until it ends: returns when the Api closed it in good order, throws otherwise.</summary>
    public async Task RunAsync()
    {
        Task[] loops =
        [
            Loop(ReceiveAsync),
            Loop(HeartbeatAsync),
            .. slots.All.Select(s => Loop(() => s.Slot.SendWaitingAsync(SendAsync, session.Token))),
            .. slots.All.GroupBy(s => s.Kinds).Select(kind => Loop(() => AskAsync(kind.Key, [.. kind.Select(s => s.Slot)]))),
        ];
        await Task.WhenAll(loops);
        stopping.ThrowIfCancellationRequested();
        switch (ended)
        {
            case ConnectionClosedException:
                return;
            case BuilderProtocolException or WebSocketException or IOException:
                ExceptionDispatchInfo.Throw(ended);
                break;
            default:
                throw new IOException(ended?.Message ?? "the connection ended", ended);
        }
    }

    private async Task ReceiveAsync()
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
                case JobAssigned or NoJob:
                    var id = message is JobAssigned assigned ? assigned.RequestId : ((NoJob)message).RequestId;
                    if (!asked.TryGetValue(id, out var answer))
                    {
                        throw new BuilderProtocolException($"an answer to job request {id}, which is not waiting for one");
                    }
                    if (answer.Take(message))
                    {
                        asked.TryRemove(id, out _);
                    }
                    break;
                default:
                    throw new BuilderProtocolException($"unexpected '{message.GetType().Name}'");
            }
        }
        throw new ConnectionClosedException();
    }

    private async Task HeartbeatAsync()
    {
        // The first one at once: a job carried over from a lost connection may be near the end of its lease.
        while (true)
        {
            await SendAsync(new Heartbeat(slots.Jobs));
            await Task.Delay(HeartbeatInterval, session.Token);
        }
    }

    /// <summary>Asks for as many jobs of <paramref name="kinds"/> as <paramref name="group"/> has free slots, and starts
    /// each job it gets in one.</summary>
    private async Task AskAsync(IReadOnlyList<JobKind> kinds, IReadOnlyList<JobSlot> group)
    {
        while (true)
        {
            await Task.WhenAny(group.Select(slot => slot.Free)).WaitAsync(session.Token);
            var free = group.Where(slot => slot.Free.IsCompleted).ToList();
            var answer = await RequestAsync(kinds, free.Count);
            foreach (var (slot, job) in free.Zip(answer.Jobs))
            {
                slot.Start(job, stopping);
            }
            // Fewer than asked for: the queue has none left for this kind now.
            if (answer.RetryAfter is { } wait)
            {
                await Task.Delay(wait, session.Token);
            }
        }
    }

    private async Task<JobRequestAnswer> RequestAsync(IReadOnlyList<JobKind> kinds, int count)
    {
        var id = Interlocked.Increment(ref lastRequestId);
        var answer = new JobRequestAnswer(count);
        asked[id] = answer;
        await SendAsync(new JobRequest(kinds, count, id));
        await answer.Done.WaitAsync(session.Token);
        return answer;
    }

    private async Task SendAsync(BuilderMessage message)
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

    /// <summary>Runs a loop of the session; its failure (the connection's end included) ends the session.</summary>
    private Task Loop(Func<Task> body) => Task.Run(async () =>
    {
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref ended, ex, null);
            await session.CancelAsync();
        }
    }, CancellationToken.None);

    public void Dispose()
    {
        session.Dispose();
        sending.Dispose();
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

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The Api discarded the result of job {JobId}: {Reason}")]
    private static partial void LogResultDiscarded(ILogger logger, long jobId, string reason);
}
