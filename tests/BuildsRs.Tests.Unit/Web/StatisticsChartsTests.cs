using BuildsRs.Contracts.Api;
using BuildsRs.Web.Components.Common;

namespace BuildsRs.Tests.Web;

public sealed class StatisticsChartsTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);

    [Fact]
    public void Every_day_of_the_range_is_a_bar_and_outcomes_stack_successes_first()
    {
        var statistics = new Statistics(
            [
                new DailyBuilds(Today.AddDays(-2), new Dictionary<string, long> { ["build_failed"] = 2, ["succeeded"] = 5 }),
                new DailyBuilds(Today, new Dictionary<string, long> { ["succeeded"] = 1, ["out_of_memory"] = 1 }),
            ],
            [], [new DurationBucket(10, 3), new DurationBucket(60, 1), new DurationBucket(null, 2)],
            [new DailyDownloads(Today.AddDays(-1), 40)]);

        var charts = StatisticsCharts.From(statistics, Today, 7);

        Assert.Equal(7, charts.DayLabels.Length);
        Assert.Equal(["built", "build failed", "out of memory"], charts.BuildsPerDay.Select(s => s.Name));
        Assert.Equal(["#2e7d32", "#c62828", "#6a1b9a"], charts.OutcomeColours);
        Assert.Equal([0, 0, 0, 0, 5, 0, 1], charts.BuildsPerDay[0].Data);
        Assert.Equal([0, 0, 0, 0, 0, 40, 0], charts.DownloadsPerDay[0].Data);
        Assert.Equal(["< 10 s", "< 1 min", "≥ 1 min"], charts.DurationLabels);
        Assert.Equal((9, 40, 6), (charts.Builds, charts.Downloads, charts.Durations));
    }

    [Fact]
    public void Queue_samples_fold_into_the_peak_of_each_hour()
    {
        var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var statistics = new Statistics([],
            [new QueueSample(at, 3), new QueueSample(at.AddMinutes(5), 9), new QueueSample(at.AddMinutes(55), 4), new QueueSample(at.AddHours(1), 2)],
            [], []);

        var charts = StatisticsCharts.From(statistics, Today, 30);

        Assert.Equal([9, 2], charts.QueueLength[0].Data);
        Assert.Equal(9, charts.QueuePeak);
    }
}
