namespace BuildsRs.Data.Model;

/// <summary>A builder known by its public key, on the host whose token enrolled it. Only enabled builders of enabled
/// hosts may connect.</summary>
public class RegisteredBuilder
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The builder's public key (SubjectPublicKeyInfo, DER).</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>SHA-256 of <see cref="PublicKey"/>, lower-case hex: what a builder names itself by on connect.</summary>
    public required string Fingerprint { get; set; }

    public long HostId { get; set; }
    public BuilderHost Host { get; set; } = null!;

    public bool Enabled { get; set; }
    public string[] AllowedTargets { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
}
