using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Jobs;

/// <summary>How many live log streams (server-sent events) this Api instance serves at once, and how often it reads
/// a running job's new output for all of that job's watchers.</summary>
public sealed class LiveLogOptions
{
    public const string SectionName = "LiveLogs";

    /// <summary>Streams open at once from one client address.</summary>
    [Range(1, 10_000)]
    public int PerClient { get; set; } = 8;

    /// <summary>Streams open at once in all.</summary>
    [Range(1, 1_000_000)]
    public int Total { get; set; } = 2_000;

    /// <summary>How often a watched running job's state and new chunks are read: once for all its watchers.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
