using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Downloads;

public sealed class DownloadOptions
{
    public const string SectionName = "Downloads";

    /// <summary>How often counted downloads are written to the database (and always at shutdown).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
