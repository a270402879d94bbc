using System.ComponentModel.DataAnnotations;

namespace BuildsRs.RegistrySync.Sync;

public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    public RegistryIndexMode Mode { get; set; } = RegistryIndexMode.Git;

    /// <summary>The git index to follow; also names the registry in the sync state.</summary>
    [Required]
    public string GitIndexUrl { get; set; } = "https://github.com/rust-lang/crates.io-index";

    /// <summary>The sparse index, for refreshing single crates. A folder: its files are found relative to it, so a URL
    /// given without its trailing slash gets one (<see cref="AddTrailingSlash"/>).</summary>
    [Required]
    public Uri SparseIndexUrl { get; set; } = new("https://index.crates.io/");

    /// <summary>How often the index is fetched.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between attempts while the registry cannot be reached.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Makes <see cref="SparseIndexUrl"/> end with a slash. Resolving a crate's file against
    /// <c>https://example.org/index</c> drops the last segment (<c>https://example.org/se/rd/serde</c>), and a registry
    /// then answers 404 for every crate, which reads as every crate removed.
    /// </summary>
    public void AddTrailingSlash()
    {
        if (SparseIndexUrl is { IsAbsoluteUri: true, AbsolutePath: var path } && !path.EndsWith('/'))
        {
            SparseIndexUrl = new UriBuilder(SparseIndexUrl) { Path = path + "/" }.Uri;
        }
    }

    /// <summary>Whether <see cref="SparseIndexUrl"/> is one HTTP can fetch.</summary>
    public bool HasHttpSparseIndexUrl() =>
        SparseIndexUrl is { IsAbsoluteUri: true } url && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    /// <summary>
    /// The share of the listed versions a pass covers that it may remove (mark removed) at once; a pass that would remove
    /// more, and more than <see cref="RemovalGuardFloor"/>, is held until an operator confirms it or a pass disagrees.
    /// </summary>
    [Range(0.0, 1.0)]
    public double RemovalGuardShare { get; set; } = 0.05;

    /// <summary>Removals a pass may always make, so that a crate pulled from the index goes whatever the share says.</summary>
    [Range(0, int.MaxValue)]
    public int RemovalGuardFloor { get; set; } = 20;

    /// <summary>Where the local mirror of the git index is kept between runs.</summary>
    [Required]
    public string WorkDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "buildsrs", "registry-index");
}
