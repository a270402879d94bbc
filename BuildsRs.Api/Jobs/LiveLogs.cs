using System.Runtime.CompilerServices;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Jobs;

/// <summary>
/// The live logs this Api instance streams. All watchers of one job share one reader, which polls the database for the
/// job's state and new chunks (any Api instance may have stored them) and hands them to every watcher: a thousand
/// watchers cost one poll per interval, not a thousand. Streams are capped per client and in all
/// (<see cref="LiveLogOptions"/>); a job's chunks are held only while someone watches it, and a log holds at most
/// <see cref="Contracts.Builders.JobLog.MaxCharacters"/>.
/// </summary>
internal sealed partial class LiveLogs(IServiceScopeFactory scopes, IOptions<LiveLogOptions> options, ILogger<LiveLogs> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<long, WatchedJob> watched = [];
    private readonly Dictionary<string, int> streamsByClient = [];
    private int streams;
    private long polls;

    /// <summary>Database reads made for watchers so far.</summary>
    public long Polls => Interlocked.Read(ref polls);

    /// <summary>A place for one more stream of <paramref name="client"/>, or null when it or the instance has as many
    /// as it may. Disposing it gives the place back.</summary>
    public IDisposable? TryOpen(string client)
    {
        lock (gate)
        {
            var mine = streamsByClient.GetValueOrDefault(client);
            if (streams >= options.Value.Total || mine >= options.Value.PerClient)
            {
                return null;
            }
            (streamsByClient[client], streams) = (mine + 1, streams + 1);
        }
        ApiTelemetry.LiveLogStreams(+1);
        return new StreamPlace(this, client);
    }

    /// <summary>The job's chunks after sequence <paramref name="after"/> as they are stored, then the job's final state;
    /// an error event when there is no such job.</summary>
    public async IAsyncEnumerable<LiveLogEvent> FollowAsync(long jobId, int after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var job = Join(jobId);
        var (read, greeted) = (0, false);
        try
        {
            while (true)
            {
                var (chunks, state, loaded, changed) = job.Read(read);
                read += chunks.Count;
                if (loaded)
                {
                    // The state first: the stream starts at once, even while the job has nothing to say yet.
                    if (!greeted && state is not null)
                    {
                        greeted = true;
                        yield return new LiveLogEvent(0, EnumText.Of(state.Value), "state");
                    }
                    foreach (var chunk in chunks.Where(c => c.Sequence > after))
                    {
                        after = chunk.Sequence;
                        yield return chunk;
                    }
                    if (state is null)
                    {
                        yield return new LiveLogEvent(0, $"no job {jobId}", "error");
                        yield break;
                    }
                    if (state.Value.IsFinal())
                    {
                        yield return new LiveLogEvent(0, EnumText.Of(state.Value), "end");
                        yield break;
                    }
                }
                await changed.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Leave(job);
        }
    }

    private WatchedJob Join(long jobId)
    {
        lock (gate)
        {
            if (!watched.TryGetValue(jobId, out var job))
            {
                watched[jobId] = job = new WatchedJob(jobId);
                _ = PollAsync(job);
            }
            job.Watchers++;
            return job;
        }
    }

    private void Leave(WatchedJob job)
    {
        lock (gate)
        {
            if (--job.Watchers == 0)
            {
                watched.Remove(job.JobId);
                job.Stop.Cancel();
            }
        }
    }

    private void Close(string client)
    {
        lock (gate)
        {
            streams--;
            if (--streamsByClient[client] == 0)
            {
                streamsByClient.Remove(client);
            }
        }
        ApiTelemetry.LiveLogStreams(-1);
    }

    /// <summary>Reads the job's state and its chunks after the last one read, until it ended or nobody watches.</summary>
    private async Task PollAsync(WatchedJob job)
    {
        var token = job.Stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
                    Interlocked.Increment(ref polls);
                    // The state is read before the chunks: a job that ended has stored its last chunk, so none is missed.
                    var state = await db.Jobs.Where(j => j.Id == job.JobId).Select(j => (JobState?)j.State).SingleOrDefaultAsync(token);
                    var last = job.LastSequence;
                    var chunks = state is null ? [] : await db.JobLogs.Where(l => l.JobId == job.JobId && l.Sequence > last).OrderBy(l => l.Sequence)
                        .Select(l => new LiveLogEvent(l.Sequence, l.Text, "log")).ToListAsync(token);
                    job.Add(chunks, state);
                    if (state is null || state.Value.IsFinal())
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database is away for a moment: the watchers wait, and the next poll tries again.
                    LogPollFailed(logger, job.JobId, ex.Message);
                }
                await Task.Delay(options.Value.PollInterval, token);
            }
        }
        catch (OperationCanceledException)
        {
            // Nobody watches any more.
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Could not read the live log of job {JobId}: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, long jobId, string reason);

    private sealed class StreamPlace(LiveLogs logs, string client) : IDisposable
    {
        private int closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                logs.Close(client);
            }
        }
    }

    /// <summary>What one reader has read of a job, for all its watchers.</summary>
    private sealed class WatchedJob(long jobId)
    {
        private readonly Lock gate = new();
        private readonly List<LiveLogEvent> chunks = [];
        private JobState? state;
        private bool loaded;
        private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long JobId => jobId;
        public int Watchers { get; set; }
        /// <summary>Cancelled when the last watcher leaves (never disposed: the reader may still be looking at it).</summary>
        public CancellationTokenSource Stop { get; } = new();

        public int LastSequence
        {
            get
            {
                lock (gate)
                {
                    return chunks.Count == 0 ? 0 : chunks[^1].Sequence;
                }
            }
        }

        /// <summary>The chunks from the <paramref name="skip"/>-th on, and what to wait on for more.</summary>
        public (IReadOnlyList<LiveLogEvent> Chunks, JobState? State, bool Loaded, Task Changed) Read(int skip)
        {
            lock (gate)
            {
                return (chunks.GetRange(skip, chunks.Count - skip), state, loaded, changed.Task);
            }
        }

        public void Add(List<LiveLogEvent> more, JobState? now)
        {
            TaskCompletionSource readers;
            lock (gate)
            {
                if (loaded && more.Count == 0 && now == state)
                {
                    return;
                }
                chunks.AddRange(more);
                (state, loaded, readers) = (now, true, changed);
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            readers.SetResult();
        }
    }
}

/// <summary>One server-sent event of a live log: the job's <c>state</c> when the stream opens, a chunk (<c>log</c>,
/// with its sequence), then <c>end</c>; or <c>error</c>.</summary>
internal sealed record LiveLogEvent(int Sequence, string Text, string Type);
