using System.Formats.Tar;
using System.IO.Compression;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Packs binaries so that the same files always give the same archive: entries in ordinal order, one fixed time,
/// owner 0:0 with no names, mode 0755, the ustar format (no extended headers carrying access or change times), and a
/// gzip header without a time or a file name.
/// </summary>
public static class ReproducibleArchive
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static void Pack(IEnumerable<string> files, string archive, DateTimeOffset time)
    {
        using var output = File.Create(archive);
        // .NET writes the gzip header with a zero time, no name and the Unix OS byte.
        using var gzip = new GZipStream(output, CompressionLevel.Optimal);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        foreach (var file in files.OrderBy(Path.GetFileName, StringComparer.Ordinal))
        {
            using var data = File.OpenRead(file);
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, Path.GetFileName(file))
            {
                Mode = Executable, ModificationTime = time, Uid = 0, Gid = 0, UserName = "", GroupName = "", DataStream = data,
            });
        }
    }
}
