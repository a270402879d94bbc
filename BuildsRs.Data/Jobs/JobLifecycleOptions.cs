using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Data.Jobs;

/// <summary>The rules of a job's life that an operator may tune (configuration section <c>Jobs</c>).</summary>
public sealed class JobLifecycleOptions
{
    public const string SectionName = "Jobs";

    /// <summary>How long a claim lasts without a heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a job may be handed out before an expired lease or an infrastructure error fails it.</summary>
    [Range(1, 20)]
    public int MaxClaims { get; set; } = 3;

    /// <summary>Priority of a newly published version's jobs (higher runs first).</summary>
    public int NewVersionPriority { get; set; } = 10;

    /// <summary>Priority of an operator's rebuild unless the request names one.</summary>
    public int RebuildPriority { get; set; } = 20;

    /// <summary>Priority of each crate's newest version that a full import finds: behind new publications.</summary>
    public int BackfillPriority { get; set; }

    /// <summary>Priority of the older versions a full import finds: after every crate's newest one.</summary>
    public int BackfillOlderPriority { get; set; } = -5;

    /// <summary>Whether a full import queues older versions at all (otherwise an operator's rebuild does).</summary>
    public bool BackfillOlderVersions { get; set; } = true;

    /// <summary>How many new versions of one crate family (names sharing their first word) a pass queues at full
    /// priority before the next ones drop a step.</summary>
    [Range(1, 1000)]
    public int FamilyBurst { get; set; } = 4;

    /// <summary>Priority of verify jobs: the lowest, so that they run when nothing else waits.</summary>
    public int VerifyPriority { get; set; } = -10;

    /// <summary>The share of successful builds that another builder builds again to check them (0 to 1).</summary>
    [Range(0.0, 1.0)]
    public double VerifyShare { get; set; } = 1.0;
}
