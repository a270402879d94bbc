namespace BuildsRs.Builder.Jobs;

/// <summary>A job's folder on the host: the crate's source, the vendored dependencies and what the build installed.</summary>
public static class WorkFolder
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Removes it. A build may leave folders it took every permission from; they get their owner's permissions back
    /// first (a builder that is not root builds as its own user, so it owns them). Links are removed, never followed.
    /// </summary>
    public static void Remove(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(path)]);
        while (pending.TryPop(out var folder))
        {
            folder.UnixFileMode |= OwnerOnly;
            foreach (var child in folder.EnumerateDirectories())
            {
                if (child.LinkTarget is null)
                {
                    pending.Push(child);
                }
            }
        }
        Directory.Delete(path, recursive: true);
    }
}
