namespace BuildsRs.Benchmarks.Capacity;

/// <summary>
/// A day of crates.io as the simulation replays it. The shape of the day (publications by hour, UTC) is read off
/// crates.io's own index (the <c>pubtime</c> of 245 versions of 94 crates, smoothed over three hours); the volume is
/// a parameter, by default 4,000 versions a day: about 2,900 a day were counted in April 2023 (a day of index commits),
/// and publishing has grown since. The share of versions with binaries and the build times are the local registry's
/// (its crates classified and built by this system); see the README for the figures these defaults give.
/// </summary>
internal sealed record DayOfPublications(int Versions, double BinaryShare, IReadOnlyList<double> BuildSeconds)
{
    /// <summary>Publications by hour of day, UTC, as counted in the index sample (before smoothing).</summary>
    private static readonly double[] Counted =
    [
        .033, .029, .033, .041, .033, .069, .029, .041, .037, .012, .033, .049,
        .024, .024, .020, .029, .073, .069, .061, .037, .094, .045, .069, .016,
    ];

    /// <summary>The hourly shape, each hour averaged with its neighbours (245 samples are too few for single hours).</summary>
    public static IReadOnlyList<double> Hourly { get; } = Smooth(Counted);

    /// <summary>When each publication of the day arrives, in seconds after midnight, and whether it has binaries.</summary>
    public IReadOnlyList<(double At, bool Binary)> Arrivals(Random random)
    {
        var arrivals = new List<(double At, bool Binary)>(Versions);
        for (var hour = 0; hour < 24; hour++)
        {
            var count = (int)Math.Round(Versions * Hourly[hour]);
            for (var i = 0; i < count; i++)
            {
                arrivals.Add((hour * 3600 + random.NextDouble() * 3600, random.NextDouble() < BinaryShare));
            }
        }
        return [.. arrivals.OrderBy(a => a.At)];
    }

    public double BuildTime(Random random) => BuildSeconds[random.Next(BuildSeconds.Count)];

    private static double[] Smooth(double[] hours)
    {
        var smoothed = hours.Select((_, h) => (hours[(h + 23) % 24] + hours[h] + hours[(h + 1) % 24]) / 3).ToArray();
        var total = smoothed.Sum();
        return [.. smoothed.Select(s => s / total)];
    }
}
