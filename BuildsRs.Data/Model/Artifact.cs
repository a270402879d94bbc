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

    public DateTimeOffset CreatedAt { get; set; }
}
