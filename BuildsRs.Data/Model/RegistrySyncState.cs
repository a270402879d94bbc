namespace BuildsRs.Data.Model;

/// <summary>How far the database is in step with one registry's index.</summary>
public class RegistrySyncState
{
    /// <summary>The index URL that identifies the registry.</summary>
    public required string Registry { get; set; }

    /// <summary>The last index commit whose changes are fully applied; null before the first full import.</summary>
    public string? Cursor { get; set; }

    public DateTimeOffset? LastSyncedAt { get; set; }
}
