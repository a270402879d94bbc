namespace BuildsRs.Api.Storage;

public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// How long a version the registry's index no longer lists keeps its records and stored archives, for audit and in
    /// case the index lists it again; unset keeps them for good.
    /// </summary>
    public TimeSpan? RemovedVersions { get; set; }
}
