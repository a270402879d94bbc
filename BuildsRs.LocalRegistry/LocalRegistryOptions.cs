using System.ComponentModel.DataAnnotations;

namespace BuildsRs.LocalRegistry;

public sealed class LocalRegistryOptions
{
    public const string SectionName = "LocalRegistry";

    /// <summary>Where this registry keeps its <c>.crate</c> files and its git index. Created from the seed when empty.</summary>
    [Required]
    public string DataDirectory { get; set; } = Path.Combine(StateDirectory, "data", "registry");

    /// <summary>The registry that provisioning built from Debian's crate sources; copied into an empty data directory.</summary>
    [Required]
    public string SeedDirectory { get; set; } = Path.Combine(StateDirectory, "registry-seed");

    /// <summary>The URL clients reach this registry at; <c>config.json</c> points downloads there.</summary>
    [Required]
    public Uri PublicUrl { get; set; } = new("http://localhost:5090");

    /// <summary>The token <c>cargo publish</c>, yank and the admin operations must present.</summary>
    [Required, MinLength(16)]
    public string PublishToken { get; set; } = "";

    /// <summary>The largest <c>.crate</c> accepted by publish (crates.io's limit).</summary>
    public long MaxCrateBytes { get; set; } = 10 * 1024 * 1024;

    private static string StateDirectory =>
        Environment.GetEnvironmentVariable("BUILDSRS_STATE_DIR") is { Length: > 0 } dir ? dir : "/var/tmp/buildsrs";
}
