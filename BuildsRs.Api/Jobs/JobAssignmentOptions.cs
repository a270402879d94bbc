using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Jobs;

/// <summary>What the Api tells builders beside the job itself (configuration section <c>Jobs</c>, shared with
/// <see cref="Data.Jobs.JobLifecycleOptions"/>).</summary>
public sealed class JobAssignmentOptions
{
    /// <summary>Where <c>.crate</c> files are downloaded from: the registry's <c>dl</c> template.</summary>
    [Required]
    public string DownloadUrl { get; set; } = "https://static.crates.io/crates/{crate}/{crate}-{version}.crate";
}
