namespace BuildsRs.Data.Bulk;

/// <summary>What one import changed. All zero when the database already matched the index.</summary>
public sealed record IndexImportResult(
    int CratesAdded,
    int CratesDeleted,
    int VersionsAdded,
    int VersionsDeleted,
    int VersionsChanged,
    int Yanked,
    int Unyanked,
    int MetadataJobsQueued,
    int JobsCancelled)
{
    public bool ChangedAnything =>
        CratesAdded + CratesDeleted + VersionsAdded + VersionsDeleted + VersionsChanged + MetadataJobsQueued > 0;
}
