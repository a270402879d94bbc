using System.Text;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Gathers a job's output into chunks of up to <see cref="ChunkCharacters"/>, sent when full, when the stage changes,
/// and at least every <see cref="FlushInterval"/> while output waits: a build that prints a million short lines costs
/// the Api a few dozen messages, not a million. Output past what the Api keeps (<see cref="JobLog.MaxCharacters"/>) is
/// cut here, with the same marker, and nothing more is sent.
/// </summary>
public sealed class JobLogBatcher : IAsyncDisposable
{
    public const int ChunkCharacters = 64 * 1024;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly long jobId;
    private readonly Func<BuilderMessage, Task> send;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly StringBuilder waiting = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task ticking;
    private string stage = "";
    private long handedOn;
    private bool cut;

    public JobLogBatcher(long jobId, Func<BuilderMessage, Task> send)
    {
        (this.jobId, this.send) = (jobId, send);
        ticking = TickAsync();
    }

    public async Task AppendAsync(string outputStage, string text)
    {
        await gate.WaitAsync();
        try
        {
            if (cut)
            {
                return;
            }
            if (outputStage != stage)
            {
                await FlushWaitingAsync();
                stage = outputStage;
            }
            var room = JobLog.MaxCharacters - handedOn - waiting.Length;
            if (text.Length > room)
            {
                // Never split a surrogate pair: half of one is not text the Api can store.
                var kept = (int)room > 0 && char.IsHighSurrogate(text[(int)room - 1]) ? (int)room - 1 : (int)room;
                waiting.Append(text, 0, kept).Append(JobLog.CutMarker);
                cut = true;
                await FlushWaitingAsync();
                return;
            }
            waiting.Append(text);
            if (waiting.Length >= ChunkCharacters)
            {
                await FlushWaitingAsync();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Sends what waits and stops the timer: the log is complete before the job's result goes out.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await ticking;
        await gate.WaitAsync();
        try
        {
            await FlushWaitingAsync();
        }
        finally
        {
            gate.Release();
        }
        stop.Dispose();
        gate.Dispose();
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await gate.WaitAsync(stop.Token);
                try
                {
                    await FlushWaitingAsync();
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended: DisposeAsync sends the rest.
        }
    }

    private async Task FlushWaitingAsync()
    {
        if (waiting.Length == 0)
        {
            return;
        }
        var chunk = waiting.ToString();
        handedOn += chunk.Length;
        waiting.Clear();
        await send(new JobLog(jobId, stage, chunk));
    }
}
