namespace BuildsRs.Data.Model;

public class CrateVersion
{
    public long Id { get; set; }
    public long CrateId { get; set; }
    public Crate Crate { get; set; } = null!;

    /// <summary>The semver string exactly as in the index (<c>vers</c>).</summary>
    public required string Version { get; set; }

    /// <summary>SHA-256 of the <c>.crate</c> file, lower-case hex (<c>cksum</c>).</summary>
    public required string Checksum { get; set; }

    public bool Yanked { get; set; }

    /// <summary>When the registry's index stopped listing this version; null while it lists it. A removed version is
    /// no longer served, but its records stay, and it gets them back if the index lists it again.</summary>
    public DateTimeOffset? RemovedAt { get; set; }
    public string? RustVersion { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public string? Links { get; set; }

    /// <summary>The features table (<c>features</c> merged with <c>features2</c>) as JSON.</summary>
    public string Features { get; set; } = "{}";

    public int DependencyCount { get; set; }

    /// <summary>Names of the binary targets once a metadata job has read them; null until then, empty for a library.</summary>
    public string[]? BinaryTargets { get; set; }

    /// <summary>The author's <c>[package.metadata.buildsrs]</c> settings as JSON, once a metadata job has read them.</summary>
    public string? BuildSettings { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Job> Jobs { get; set; } = [];
}
