using System.ComponentModel.DataAnnotations;

namespace BuildsRs.RegistrySync.Sync;

public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    public RegistryIndexMode Mode { get; set; } = RegistryIndexMode.Git;

    /// <summary>The git index to follow; also names the registry in the sync state.</summary>
    [Required]
    public string GitIndexUrl { get; set; } = "https://github.com/rust-lang/crates.io-index";

    /// <summary>The sparse index, for refreshing single crates.</summary>
    [Required]
    public Uri SparseIndexUrl { get; set; } = new("https://index.crates.io/");

    /// <summary>How often the index is fetched.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between attempts while the registry cannot be reached.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the local mirror of the git index is kept between runs.</summary>
    [Required]
    public string WorkDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "buildsrs", "registry-index");
}
