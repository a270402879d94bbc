using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Tests.Unit;

/// <summary>A build's output leaves the builder in few, large chunks, in order, cut where the Api would stop keeping it.</summary>
public sealed class JobLogBatcherTests
{
    [Fact]
    public async Task A_million_short_lines_leave_as_a_few_dozen_chunks_cut_at_the_cap_with_the_marker()
    {
        var sent = new List<JobLog>();
        await using (var log = new JobLogBatcher(7, message => Record(sent, message)))
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                await log.AppendAsync("build", $"warning: log-flood@0.1.0: w{i}\n");
            }
        }

        var text = string.Concat(sent.Select(m => m.Chunk));
        Assert.InRange(sent.Count, 16, 40);
        Assert.All(sent, m => Assert.Equal((7, "build"), (m.JobId, m.Stage)));
        Assert.Equal(JobLog.MaxCharacters + JobLog.CutMarker.Length, text.Length);
        Assert.EndsWith(JobLog.CutMarker, text, StringComparison.Ordinal);
        Assert.StartsWith("warning: log-flood@0.1.0: w0\nwarning: log-flood@0.1.0: w1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_goes_out_in_order_when_its_stage_changes_and_within_a_flush_interval_when_the_build_falls_quiet()
    {
        var sent = new List<JobLog>();
        await using var log = new JobLogBatcher(7, message => Record(sent, message));

        await log.AppendAsync("fetch", "Downloading 3 crates\n");
        await log.AppendAsync("build", "Compiling demo\n");
        // Nothing more comes: the timer sends what waits (a few intervals at most, more on a busy machine).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Snapshot(sent).Count < 2)
        {
            await Task.Delay(JobLogBatcher.FlushInterval, timeout.Token);
        }

        Assert.Equal([("fetch", "Downloading 3 crates\n"), ("build", "Compiling demo\n")], Snapshot(sent));
    }

    [Fact]
    public async Task A_cut_never_splits_a_character_outside_the_basic_plane()
    {
        var sent = new List<JobLog>();
        await using (var log = new JobLogBatcher(7, message => Record(sent, message)))
        {
            await log.AppendAsync("build", new string('a', JobLog.MaxCharacters - 1));
            await log.AppendAsync("build", "🦀🦀");
        }

        var text = string.Concat(sent.Select(m => m.Chunk));
        Assert.Equal(new string('a', JobLog.MaxCharacters - 1) + JobLog.CutMarker, text);
    }

    private static Task Record(List<JobLog> sent, BuilderMessage message)
    {
        lock (sent)
        {
            sent.Add((JobLog)message);
        }
        return Task.CompletedTask;
    }

    private static List<(string, string)> Snapshot(List<JobLog> sent)
    {
        lock (sent)
        {
            return [.. sent.Select(m => (m.Stage, m.Chunk))];
        }
    }
}
