using BuildsRs.Contracts.Registry;

namespace BuildsRs.LocalRegistry.Storage;

internal static class IndexLines
{
    /// <summary>
    /// An index line as crates.io writes it: features that use the <c>dep:</c> or <c>?/</c> syntax go to
    /// <c>features2</c> (and the line is then <c>v: 2</c>), so that older cargo versions ignore them.
    /// </summary>
    public static IndexLine Create(string name, string version, IEnumerable<IndexDependency> dependencies,
        Dictionary<string, List<string>> features, string? links, string? rustVersion, DateTimeOffset? publishedAt)
    {
        static bool IsNewSyntax(List<string> values) =>
            values.Any(v => v.StartsWith("dep:", StringComparison.Ordinal) || v.Contains("?/", StringComparison.Ordinal));
        var features2 = features.Where(f => IsNewSyntax(f.Value)).ToDictionary();
        return new IndexLine
        {
            Name = name,
            Vers = version,
            Deps = dependencies.ToList(),
            Features = features.Where(f => !IsNewSyntax(f.Value)).ToDictionary(),
            Features2 = features2.Count > 0 ? features2 : null,
            V = features2.Count > 0 ? 2 : null,
            Yanked = false,
            Links = links,
            RustVersion = rustVersion,
            PubTime = publishedAt,
        };
    }
}
