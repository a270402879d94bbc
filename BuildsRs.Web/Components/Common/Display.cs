using System.Globalization;

namespace BuildsRs.Web.Components.Common;

/// <summary>Numbers, sizes and times as the pages write them.</summary>
public static class Display
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(Invariant, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(Invariant, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(Invariant, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    public static string Duration(double? seconds) => seconds switch
    {
        null => "–",
        < 1 => string.Create(Invariant, $"{seconds:0.0} s"),
        < 60 => string.Create(Invariant, $"{seconds:0} s"),
        < 3600 => Both((int)(seconds / 60), "min", (int)(seconds % 60), "s"),
        _ => Both((int)(seconds / 3600), "h", (int)(seconds % 3600 / 60), "min"),
    };

    private static string Both(int major, string majorUnit, int minor, string minorUnit) =>
        minor == 0 ? $"{major} {majorUnit}" : $"{major} {majorUnit} {minor} {minorUnit}";

    /// <summary>"3 min ago": how long before <paramref name="now"/> something happened.</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var elapsed = now - at;
        return elapsed.TotalSeconds switch
        {
            < 60 => "just now",
            < 3600 => $"{(int)elapsed.TotalMinutes} min ago",
            < 86400 => $"{(int)elapsed.TotalHours} h ago",
            < 86400 * 60 => $"{(int)elapsed.TotalDays} days ago",
            _ => Timestamp(at)[..10],
        };
    }

    /// <summary>An exact time in UTC, for titles and tables.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);
}
