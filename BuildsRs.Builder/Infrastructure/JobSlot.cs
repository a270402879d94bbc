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
    private JobSlotState state = JobSlotState.Free;
    private TaskCompletionSource free = Completed();
    // The job while Running or Reporting; how to stop its build while Running; its result once sent while Reporting.
    private long? job;
    private CancellationTokenSource? build;
    private JobFinished? sentResult;
    private long waitingLogChars;

    /// <summary>The job whose result the Api has not recorded yet, if any: what heartbeats name.</summary>
    public IReadOnlyList<long> Jobs
    {
        get
        {
            lock (gate)
            {
                return job is { } id ? [id] : [];
            }
        }
    }

    /// <summary>Completes once the slot is <see cref="JobSlotState.Free"/>: then the builder may ask for another job.</summary>
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

    /// <summary>Free → Running: runs the job in the background, until it ends, the Api gives it up or the builder stops.</summary>
    public void Start(JobAssigned assigned, CancellationToken stoppingToken)
    {
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (gate)
        {
            if (state != JobSlotState.Free)
            {
                throw new InvalidOperationException($"job {assigned.JobId} was handed to a slot that is {state}");
            }
            (state, job, build) = (JobSlotState.Running, assigned.JobId, abandon);
            free = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = Task.Run(async () =>
        {
            try
            {
                var result = await runner.RunAsync(assigned, PostAsync, abandon.Token);
                lock (gate)
                {
                    (state, build) = (JobSlotState.Reporting, null);
                }
                outbox.Writer.TryWrite(result);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The Api no longer wants it (cancelled, or given to another builder): there is no result to send.
                EndIf(JobSlotState.Running, assigned.JobId);
            }
            finally
            {
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
        if (Volatile.Read(ref sentResult) is { } again)
        {
            await send(again);
        }
        while (await outbox.Reader.WaitToReadAsync(cancellationToken))
        {
            while (outbox.Reader.TryPeek(out var message))
            {
                if (message is JobFinished finished)
                {
                    Volatile.Write(ref sentResult, finished);
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

    /// <summary>Reporting → Free: the Api recorded the result of this job.</summary>
    public void Confirmed(long jobId)
    {
        lock (gate)
        {
            if (state == JobSlotState.Reporting && sentResult?.JobId == jobId)
            {
                FreeUp();
            }
        }
    }

    /// <summary>
    /// The Api discarded this job's result or log: this builder no longer holds it. A result waiting for confirmation
    /// is dropped (Reporting → Free); a build still running is stopped, since whatever it produces would be refused
    /// (Running, then Free once it stopped).
    /// </summary>
    public void Discarded(long jobId)
    {
        lock (gate)
        {
            if (job != jobId)
            {
                return;
            }
            if (state == JobSlotState.Reporting)
            {
                FreeUp();
            }
            else if (state == JobSlotState.Running)
            {
                build?.Cancel();
            }
        }
    }

    private void EndIf(JobSlotState expected, long jobId)
    {
        lock (gate)
        {
            if (state == expected && job == jobId)
            {
                FreeUp();
            }
        }
    }

    /// <summary>To <see cref="JobSlotState.Free"/>; the caller holds the gate.</summary>
    private void FreeUp()
    {
        (state, job, build, sentResult) = (JobSlotState.Free, null, null, null);
        free.TrySetResult();
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

/// <summary>Where a <see cref="JobSlot"/> is with its job.</summary>
internal enum JobSlotState
{
    /// <summary>No job: the builder may ask for one.</summary>
    Free,

    /// <summary>The job's build runs.</summary>
    Running,

    /// <summary>The build ended; its result waits to be sent, or to be recorded by the Api.</summary>
    Reporting,
}
