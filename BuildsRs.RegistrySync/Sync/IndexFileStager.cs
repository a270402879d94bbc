using BuildsRs.Contracts.Registry;
using BuildsRs.Data.Bulk;
using BuildsRs.RegistrySync.Index;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>Turns index files into staged rows of one <see cref="IndexImport"/>, reporting the lines it skips.</summary>
internal sealed partial class IndexFileStager(IndexImport import, bool wholeIndex, ILogger logger)
{
    private readonly List<IndexVersionRow> rows = [];
    private readonly List<MalformedLine> malformed = [];

    public int Files { get; private set; }
    public int Versions { get; private set; }
    public int MalformedLines { get; private set; }

    /// <summary>Stages a crate file of the index; null content means the file is gone, and so is the crate.</summary>
    public async ValueTask StageAsync(string path, ReadOnlyMemory<byte>? content, CancellationToken cancellationToken)
    {
        var crate = IndexPath.CrateNameOf(path) ?? throw new ArgumentException($"{path} is not a crate file path", nameof(path));
        Files++;
        if (!wholeIndex)
        {
            import.AddToScope(crate);
        }
        if (content is not { } bytes)
        {
            return;
        }

        rows.Clear();
        malformed.Clear();
        IndexFileParser.Parse(path, bytes.Span, rows, malformed);
        foreach (var row in rows)
        {
            await import.AddAsync(row, cancellationToken);
        }
        Versions += rows.Count;
        if (malformed.Count > 0)
        {
            import.ProtectFromDeletion(crate);
            MalformedLines += malformed.Count;
            foreach (var line in malformed)
            {
                LogMalformedLine(logger, line.File, line.Line, line.Reason);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Skipped malformed index line {File}:{Line}: {Reason}")]
    private static partial void LogMalformedLine(ILogger logger, string file, int line, string reason);
}
