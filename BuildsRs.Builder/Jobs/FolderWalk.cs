namespace BuildsRs.Builder.Jobs;

/// <summary>
/// A walk of a folder that a crate or a build may have written to. It never follows a link (one that points at a
/// parent would make it walk in circles, one that points elsewhere would take it out of the job), visits at most a
/// bounded number of entries, and stops when the job is cancelled.
/// </summary>
public static class FolderWalk
{
    private static readonly EnumerationOptions TopLevel = new() { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };

    /// <summary>Every entry under <paramref name="root"/>, links included but not entered; throws
    /// <see cref="TooManyEntriesException"/> past <paramref name="maxEntries"/>.</summary>
    public static IEnumerable<FileSystemInfo> Entries(string root, int maxEntries, CancellationToken cancellationToken)
    {
        if (HostFiles.KindOf(root) != HostFiles.Kind.Directory)
        {
            yield break;
        }
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        var seen = 0;
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos("*", TopLevel))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (++seen > maxEntries)
                {
                    throw new TooManyEntriesException(root, maxEntries);
                }
                var link = IsLink(entry);
                yield return entry;
                if (!link && entry is DirectoryInfo directory)
                {
                    pending.Push(directory);
                }
            }
        }
    }

    /// <summary>The links under <paramref name="root"/>, as paths relative to it.</summary>
    public static IReadOnlyList<string> Links(string root, int maxEntries, CancellationToken cancellationToken) =>
        [.. Entries(root, maxEntries, cancellationToken).Where(IsLink).Select(entry => Path.GetRelativePath(root, entry.FullName))];

    /// <summary>Whether the entry is a symbolic link, whatever it points to (a folder, a file, nothing).</summary>
    public static bool IsLink(FileSystemInfo entry) => entry.Attributes.HasFlag(FileAttributes.ReparsePoint) || entry.LinkTarget is not null;
}

/// <summary>A folder holds more entries than a walk of it may visit.</summary>
public sealed class TooManyEntriesException(string root, int maxEntries) : IOException($"{root} holds more than {maxEntries} entries")
{
    public int MaxEntries { get; } = maxEntries;
}
