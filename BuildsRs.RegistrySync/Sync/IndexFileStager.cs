using BuildsRs.Contracts.Registry;
using BuildsRs.Data.Bulk;
using BuildsRs.RegistrySync.Index;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>Turns index files into staged rows of one <see cref="IndexImport"/>, reporting the lines it skips.
/// Parsing and staging are separate steps so that a large import can parse on one thread while it writes on another.</summary>
internal sealed partial class IndexFileStager(IndexImport import, bool wholeIndex, ILogger logger)
{
    private readonly HashSet<string> stagedCrates = new(StringComparer.Ordinal);

    public int Files { get; private set; }
    public int Versions { get; private set; }
    public int MalformedLines { get; private set; }

    /// <summary>Parses a crate file of the index; null content means the file is gone, and so is the crate.</summary>
    public static ParsedIndexFile Parse(string path, ReadOnlyMemory<byte>? content)
    {
        var crate = IndexPath.CrateNameOf(path) ?? throw new ArgumentException($"{path} is not a crate file path", nameof(path));
        var rows = new List<IndexVersionRow>();
        var malformed = new List<MalformedLine>();
        if (content is { } bytes)
        {
            IndexFileParser.Parse(path, bytes.Span, rows, malformed);
        }
        return new ParsedIndexFile(crate, rows, malformed);
    }

    public void Stage(string path, ReadOnlyMemory<byte>? content) => Stage(Parse(path, content));

    public void Stage(ParsedIndexFile file)
    {
        Files++;
        if (!stagedCrates.Add(Contracts.CrateName.Normalize(file.Crate)))
        {
            // foo-bar and foo_bar are one crate; a registry must not have both files. Keep the first one read.
            MalformedLines++;
            import.ProtectFromDeletion(file.Crate);
            LogDuplicateCrateFile(logger, file.Crate);
            return;
        }
        if (!wholeIndex)
        {
            import.AddToScope(file.Crate);
        }
        foreach (var row in file.Rows)
        {
            import.Add(row);
        }
        Versions += file.Rows.Count;
        if (file.Malformed.Count > 0)
        {
            // The versions those lines describe are unknown, not gone.
            import.ProtectFromDeletion(file.Crate);
            MalformedLines += file.Malformed.Count;
            foreach (var line in file.Malformed)
            {
                LogMalformedLine(logger, line.File, line.Line, line.Reason);
            }
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Skipped the index file of {Crate}: another file already holds the same crate")]
    private static partial void LogDuplicateCrateFile(ILogger logger, string crate);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Skipped malformed index line {File}:{Line}: {Reason}")]
    private static partial void LogMalformedLine(ILogger logger, string file, int line, string reason);
}

internal sealed record ParsedIndexFile(string Crate, List<IndexVersionRow> Rows, List<MalformedLine> Malformed);
