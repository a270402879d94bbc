namespace BuildsRs.Data.Model;

/// <summary>
/// A machine that runs builders, known by the enrollment token its operator issued for it. Every key enrolled with
/// that token belongs to the host: a verification must come from another host, and disabling the host disables all
/// of its keys and its token at once.
/// </summary>
public class BuilderHost
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>SHA-256 of the host's enrollment token; the token itself is never stored.</summary>
    public required byte[] TokenSha256 { get; set; }

    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<RegisteredBuilder> Builders { get; set; } = [];
}
