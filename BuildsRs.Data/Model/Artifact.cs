namespace BuildsRs.Data.Model;

public class Artifact
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public Job Job { get; set; } = null!;
    public required string FileName { get; set; }
    public required string StorageKey { get; set; }
    public long Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Where its binaries run, as the builder read them (ELF machine, static or dynamic, newest glibc
    /// symbol version needed); null for artifacts built before builders reported it.</summary>
    public string? Machine { get; set; }
    public string? Linkage { get; set; }
    public string? GlibcFloor { get; set; }

    /// <summary>A Windows archive's subsystem (console, gui) and the DLLs its binaries import; null for other targets.</summary>
    public string? Subsystem { get; set; }
    public string[]? Dlls { get; set; }

    /// <summary>The Api's minisign signature of the archive (the whole <c>.minisig</c> file), made when it was accepted.</summary>
    public string? Signature { get; set; }

    /// <summary>Each binary's SHA-256 by name, as JSON, from the builder's report.</summary>
    public string? Binaries { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ArtifactVerification> Verifications { get; set; } = [];
}
