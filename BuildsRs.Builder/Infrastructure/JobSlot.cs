using System.Threading.Channels;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Builder.Infrastructure;

/// <summary>
/// The job this builder works on. It outlives a connection: when the Api goes away mid-build (a restart, or one of
/// several instances dying), the build goes on, and its log and result wait here for the next connection, to whichever
/// instance answers. Heartbeats name the job until the Api has recorded its result, so that its lease holds meanwhile,
/// and a result that a connection lost before the Api confirmed it is sent again on the next one.
/// </summary>
internal sealed class JobSlot(JobRunner runner)
{
    /// <summary>Log output past this much is dropped while no connection takes it (the Api keeps 1 MiB of a job's log).</summary>
    private const long MaxWaitingLogChars = 2 * 1024 * 1024;

    private readonly Channel<BuilderMessage> outbox = Channel.CreateUnbounded<BuilderMessage>();
    private readonly Lock gate = new();
    private TaskCompletionSource free = Completed();
    private long? unreported;
    private CancellationTokenSource? running;
    private JobFinished? unconfirmed;
    private long waitingLogChars;

    /// <summary>The job whose result the Api has not recorded yet, if any.</summary>
    public IReadOnlyList<long> Jobs
    {
        get
        {
            lock (gate)
            {
                return unreported is { } job ? [job] : [];
            }
        }
    }

    /// <summary>Completes once the last job ended and the Api recorded its result: then the builder may ask for another.</summary>
    public Task Free
    {
        get
        {
            lock (gate)
            {
                return free.Task;
            }
        }
    }

    /// <summary>Runs the job in the background, until it ends, the Api gives it up or the builder stops.</summary>
    public void Start(JobAssigned job, CancellationToken stoppingToken)
    {
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (gate)
        {
            unreported = job.JobId;
            running = abandon;
            free = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = Task.Run(async () =>
        {
            try
            {
                outbox.Writer.TryWrite(await runner.RunAsync(job, PostAsync, abandon.Token));
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The Api no longer wants it (cancelled, or given to another builder): there is no result to send.
                Abandoned(job.JobId);
            }
            finally
            {
                lock (gate)
                {
                    running = null;
                }
                abandon.Dispose();
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Sends what waits, in order, until the connection ends: first a result that an earlier connection may have lost,
    /// then the log and the result as they come. A message leaves the outbox only once it was sent.
    /// </summary>
    public async Task SendWaitingAsync(Func<BuilderMessage, Task> send, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref unconfirmed) is { } again)
        {
            await send(again);
        }
        while (await outbox.Reader.WaitToReadAsync(cancellationToken))
        {
            while (outbox.Reader.TryPeek(out var message))
            {
                if (message is JobFinished finished)
                {
                    Volatile.Write(ref unconfirmed, finished);
                }
                await send(message);
                outbox.Reader.TryRead(out _);
                if (message is JobLog log)
                {
                    Interlocked.Add(ref waitingLogChars, -log.Chunk.Length);
                }
            }
        }
    }

    /// <summary>The Api recorded the result of this job: the slot is free.</summary>
    public void Confirmed(long jobId)
    {
        lock (gate)
        {
            if (unconfirmed?.JobId == jobId)
            {
                (unconfirmed, unreported) = (null, null);
                free.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The Api discarded this job's result or log: this builder no longer holds it. A result waiting for confirmation
    /// is dropped; a build still running is stopped, since whatever it produces would be refused.
    /// </summary>
    public void Discarded(long jobId)
    {
        lock (gate)
        {
            if (unconfirmed?.JobId == jobId)
            {
                (unconfirmed, unreported) = (null, null);
                free.TrySetResult();
            }
            else if (unreported == jobId)
            {
                running?.Cancel();
            }
        }
    }

    private void Abandoned(long jobId)
    {
        lock (gate)
        {
            if (unreported == jobId)
            {
                unreported = null;
                free.TrySetResult();
            }
        }
    }

    private Task PostAsync(BuilderMessage message)
    {
        if (message is JobLog log && Interlocked.Add(ref waitingLogChars, log.Chunk.Length) > MaxWaitingLogChars)
        {
            Interlocked.Add(ref waitingLogChars, -log.Chunk.Length);
            return Task.CompletedTask;
        }
        outbox.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
