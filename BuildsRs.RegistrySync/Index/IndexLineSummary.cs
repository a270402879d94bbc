namespace BuildsRs.RegistrySync.Index;

/// <summary>
/// What the sync keeps of an index line (<c>IndexLine</c> in Contracts is the whole of it): dependencies are only
/// counted, and the feature tables stay raw JSON.
/// </summary>
internal sealed record IndexLineSummary
{
    public string? Name { get; set; }
    public string? Vers { get; set; }
    public int? DependencyCount { get; set; }
    public string? Cksum { get; set; }

    /// <summary>The <c>features</c> object as it appears in the line.</summary>
    public string? Features { get; set; }

    /// <summary>The <c>features2</c> object as it appears in the line, if any.</summary>
    public string? Features2 { get; set; }

    public bool? Yanked { get; set; }
    public string? Links { get; set; }
    public int? V { get; set; }
    public string? RustVersion { get; set; }
    public DateTimeOffset? PubTime { get; set; }
}
