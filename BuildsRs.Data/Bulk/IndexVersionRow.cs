namespace BuildsRs.Data.Bulk;

/// <summary>One version as the registry index states it, ready to be written.</summary>
public sealed record IndexVersionRow(
    string CrateName,
    string Version,
    string Checksum,
    bool Yanked,
    string? RustVersion,
    DateTimeOffset? PublishedAt,
    string? Links,
    string FeaturesJson,
    int DependencyCount);
