namespace BuildsRs.Data.Bulk;

/// <summary>What one import changed. All zero when the database already matched the index. A removed version is one
/// the index stopped listing (kept, and no longer served); a restored one is a removed version listed again.</summary>
public sealed record IndexImportResult(
    int CratesAdded,
    int VersionsAdded,
    int VersionsRemoved,
    int VersionsRestored,
    int VersionsChanged,
    int Yanked,
    int Unyanked,
    int MetadataJobsQueued,
    int JobsCancelled)
{
    public bool ChangedAnything =>
        CratesAdded + VersionsAdded + VersionsRemoved + VersionsRestored + VersionsChanged + MetadataJobsQueued > 0;
}
