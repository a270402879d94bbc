namespace BuildsRs.Data.Model;

/// <summary>What a second builder got when it built an artifact again from the same inputs.</summary>
public class ArtifactVerification
{
    public long Id { get; set; }
    public long ArtifactId { get; set; }
    public Artifact Artifact { get; set; } = null!;

    /// <summary>The verify job.</summary>
    public long JobId { get; set; }
    public long BuilderId { get; set; }
    public RegisteredBuilder Builder { get; set; } = null!;

    /// <summary>The rebuild gave the same archive, byte for byte.</summary>
    public bool Reproduced { get; set; }

    /// <summary>The rebuild's archive SHA-256; null when the rebuild failed.</summary>
    public string? ArchiveSha256 { get; set; }

    /// <summary>The files whose bytes differ (binaries by name; "(archive)" when only the packing differs), or why the
    /// rebuild failed.</summary>
    public string[] Differences { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}
