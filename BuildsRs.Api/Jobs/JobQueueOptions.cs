using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Jobs;

public sealed class JobQueueOptions
{
    public const string SectionName = "Jobs";

    /// <summary>How long a claim lasts without a heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a job may be handed out before an expired lease fails it as an infrastructure error.</summary>
    [Range(1, 20)]
    public int MaxClaims { get; set; } = 3;

    /// <summary>Priority of an admin's rebuild unless the request names one (new versions get 10, a backfill 0).</summary>
    public int RebuildPriority { get; set; } = 20;

    /// <summary>Where <c>.crate</c> files are downloaded from: the registry's <c>dl</c> template.</summary>
    [Required]
    public string DownloadUrl { get; set; } = "https://static.crates.io/crates/{crate}/{crate}-{version}.crate";
}
