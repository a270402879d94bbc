using System.Globalization;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using MudBlazor;

namespace BuildsRs.Web.Components.Common;

/// <summary>
/// The statistics shaped for charts: every day of the range present (a day without builds is a zero, not a gap),
/// the queue's 5-minute samples folded into hourly peaks, and the duration buckets named.
/// </summary>
public sealed record StatisticsCharts(
    string[] DayLabels, List<ChartSeries<double>> BuildsPerDay, string[] OutcomeColours, List<ChartSeries<double>> DownloadsPerDay,
    string[] HourLabels, List<ChartSeries<double>> QueueLength,
    string[] DurationLabels, List<ChartSeries<double>> DurationCounts,
    long Builds, long Downloads, long Durations, long QueuePeak)
{
    /// <summary>The order outcomes stack in, successes at the bottom, each in its own colour.</summary>
    private static readonly (JobOutcome Outcome, string Colour)[] Outcomes =
    [
        (JobOutcome.Succeeded, "#2e7d32"), (JobOutcome.BuildFailed, "#c62828"), (JobOutcome.NoBinaries, "#78909c"),
        (JobOutcome.OutOfMemory, "#6a1b9a"), (JobOutcome.DiskLimit, "#4527a0"), (JobOutcome.TimedOut, "#ef6c00"),
        (JobOutcome.NoOutput, "#8d6e63"), (JobOutcome.Rejected, "#37474f"), (JobOutcome.InfrastructureError, "#f9a825"),
    ];

    public static StatisticsCharts From(Statistics statistics, DateOnly today, int days)
    {
        var range = Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1)).ToArray();
        var dayLabels = range.Select((d, i) => i % 5 == days % 5 - 1 || i == days - 1 ? d.ToString("MM-dd", CultureInfo.InvariantCulture) : "").ToArray();

        var builds = statistics.BuildsPerDay.ToDictionary(b => b.Day, b => b.Outcomes);
        var outcomes = Outcomes.Where(o => statistics.BuildsPerDay.Any(b => b.Outcomes.ContainsKey(EnumText.Of(o.Outcome)))).ToList();
        var buildSeries = outcomes
            .Select(o => Series(BuildOutcomes.Label(VersionStates.Of(o.Outcome), o.Outcome),
                range.Select(d => (double)(builds.GetValueOrDefault(d)?.GetValueOrDefault(EnumText.Of(o.Outcome)) ?? 0))))
            .ToList();

        var downloads = statistics.DownloadsPerDay.ToDictionary(d => d.Day, d => d.Downloads);
        var hours = statistics.QueueLength
            .GroupBy(s => new DateTimeOffset(s.At.UtcDateTime.Date.AddHours(s.At.UtcDateTime.Hour), TimeSpan.Zero))
            .OrderBy(g => g.Key).Select(g => (Hour: g.Key, Peak: g.Max(s => s.Queued))).ToList();

        var durationLabels = statistics.BuildDurations.Select((b, i) => (Bucket: b, From: i == 0 ? 0 : statistics.BuildDurations[i - 1].UpToSeconds))
            .Select(x => x.Bucket.UpToSeconds is { } upTo ? $"< {Display.Duration(upTo)}" : $"≥ {Display.Duration(x.From)}").ToArray();

        return new StatisticsCharts(
            dayLabels, buildSeries, [.. outcomes.Select(o => o.Colour)],
            [Series("downloads", range.Select(d => (double)downloads.GetValueOrDefault(d)))],
            [.. hours.Select((h, i) => i % 24 == 0 ? h.Hour.ToString("MM-dd", CultureInfo.InvariantCulture) : "")],
            [Series("queued jobs", hours.Select(h => (double)h.Peak))],
            durationLabels,
            [Series("builds", statistics.BuildDurations.Select(b => (double)b.Builds))],
            statistics.BuildsPerDay.Sum(b => b.Outcomes.Values.Sum()),
            statistics.DownloadsPerDay.Sum(d => d.Downloads),
            statistics.BuildDurations.Sum(b => b.Builds),
            hours.Count == 0 ? 0 : hours.Max(h => h.Peak));
    }

    private static ChartSeries<double> Series(string name, IEnumerable<double> values) => new() { Name = name, Data = new ChartData<double>([.. values]) };
}
