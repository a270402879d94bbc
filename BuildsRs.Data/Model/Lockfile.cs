namespace BuildsRs.Data.Model;

/// <summary>A <c>Cargo.lock</c> a build used, stored once by its SHA-256 however many builds share it.</summary>
public class Lockfile
{
    /// <summary>Lower-case hex SHA-256 of <see cref="Content"/> (UTF-8).</summary>
    public required string Sha256 { get; set; }

    public required string Content { get; set; }
}
