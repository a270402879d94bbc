using System.Text.Json;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data.Bulk;

namespace BuildsRs.RegistrySync.Index;

/// <summary>
/// Reads one index file (one JSON line per version) into rows. A line that cannot be trusted (not JSON, a missing
/// field, an invalid version or checksum, a name that does not belong at this path, a format version this reader
/// does not know, a version listed twice) is skipped and reported; the other lines still count.
/// </summary>
public static class IndexFileParser
{
    /// <summary>The index format versions this reader understands.</summary>
    private const int NewestFormat = 2;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static void Parse(string path, ReadOnlySpan<byte> content, List<IndexVersionRow> rows, List<MalformedLine> malformed)
    {
        var expectedName = IndexPath.CrateNameOf(path);
        if (expectedName is null)
        {
            malformed.Add(new(path, 0, "not a crate file path of the index layout"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (!content.IsEmpty)
        {
            lineNumber++;
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.Trim((byte)' ').Trim((byte)'\r').IsEmpty)
            {
                continue;
            }

            var error = TryParseLine(line, expectedName, out var row);
            if (error is null && !seen.Add(row!.Version))
            {
                error = $"version {row.Version} is listed twice";
            }
            if (error is null)
            {
                rows.Add(row!);
            }
            else
            {
                malformed.Add(new(path, lineNumber, error));
            }
        }
    }

    private static string? TryParseLine(ReadOnlySpan<byte> line, string expectedName, out IndexVersionRow? row)
    {
        row = null;
        IndexLineSummary? parsed;
        try
        {
            parsed = IndexLineReader.Read(line);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return $"not valid JSON: {ex.Message}";
        }

        if (parsed.V is < 1 or > NewestFormat)
        {
            return $"unknown index format version v={parsed.V}";
        }
        if (parsed.Name is null || parsed.Vers is null || parsed.Cksum is null || parsed.DependencyCount is null || parsed.Features is null)
        {
            return "missing field " + string.Join(", ", MissingFields(parsed));
        }
        if (!CrateName.IsValid(parsed.Name) || !parsed.Name.Equals(expectedName, StringComparison.OrdinalIgnoreCase))
        {
            return $"name '{parsed.Name}' does not belong in the file of '{expectedName}'";
        }
        if (!VersionNumber.IsValid(parsed.Vers))
        {
            return $"'{parsed.Vers}' is not a semantic version";
        }
        if (parsed.Cksum.Length != 64 || parsed.Cksum.AsSpan().ContainsAnyExcept(LowerHex))
        {
            return "cksum is not a lower-case SHA-256";
        }

        row = new IndexVersionRow(
            parsed.Name,
            parsed.Vers,
            parsed.Cksum,
            parsed.Yanked ?? false,
            parsed.RustVersion,
            parsed.PubTime,
            parsed.Links,
            FeaturesJson(parsed.Features, parsed.Features2),
            parsed.DependencyCount.Value);
        return null;
    }

    private static IEnumerable<string> MissingFields(IndexLineSummary line)
    {
        if (line.Name is null) yield return "name";
        if (line.Vers is null) yield return "vers";
        if (line.DependencyCount is null) yield return "deps";
        if (line.Cksum is null) yield return "cksum";
        if (line.Features is null) yield return "features";
    }

    /// <summary>
    /// The whole feature table as cargo sees it: <c>features</c> and <c>features2</c> as one JSON object. Joined as
    /// text: both are objects the reader has checked, and a key in both keeps the <c>features2</c> value, as jsonb
    /// keeps the last of duplicate keys.
    /// </summary>
    private static string FeaturesJson(string features, string? features2)
    {
        if (features2 is null || IsEmptyObject(features2))
        {
            return features;
        }
        return IsEmptyObject(features) ? features2 : string.Concat(features.AsSpan(0, features.LastIndexOf('}')), ",", features2.AsSpan(features2.IndexOf('{') + 1));
    }

    private static bool IsEmptyObject(string json) => json.AsSpan().Trim().Length == 2 || json.AsSpan(1, json.Length - 2).Trim().IsEmpty;
}
