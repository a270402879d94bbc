using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace BuildsRs.LocalRegistry.Seeding;

/// <summary>
/// Packs an unpacked crate source folder into a <c>.crate</c> as cargo does: a gzipped tar whose single top folder is
/// <c>{name}-{version}/</c>. Debian's packaging leftovers go, and so do dev-dependencies (Debian lacks many of them, and
/// building a binary never needs them).
/// </summary>
internal static partial class CrateSourcePacker
{
    private static readonly DateTimeOffset FixedTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Pack(string sourceDirectory, string name, string version)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu))
        {
            var files = Directory.EnumerateFiles(sourceDirectory, "*", SearchOption.AllDirectories)
                .Select(file => Path.GetRelativePath(sourceDirectory, file).Replace('\\', '/'))
                .Where(relative => relative != ".cargo-checksum.json" && !relative.EndsWith(".debian", StringComparison.Ordinal))
                .Where(relative => !File.GetAttributes(Path.Combine(sourceDirectory, relative)).HasFlag(FileAttributes.ReparsePoint))
                .Order(StringComparer.Ordinal);
            foreach (var relative in files)
            {
                var content = File.ReadAllBytes(Path.Combine(sourceDirectory, relative));
                if (relative == "Cargo.toml")
                {
                    content = Encoding.UTF8.GetBytes(WithoutDevDependencies(Encoding.UTF8.GetString(content)));
                }
                var entry = new GnuTarEntry(TarEntryType.RegularFile, $"{name}-{version}/{relative}")
                {
                    DataStream = new MemoryStream(content),
                    ModificationTime = FixedTime,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    /// <summary>Drops every <c>[dev-dependencies...]</c> and <c>[target.X.dev-dependencies...]</c> table of a normalized manifest.</summary>
    public static string WithoutDevDependencies(string manifest)
    {
        var kept = new StringBuilder();
        var skipping = false;
        foreach (var line in manifest.Split('\n'))
        {
            if (line.StartsWith('['))
            {
                skipping = DevDependencyTable().IsMatch(line.Trim());
            }
            if (!skipping)
            {
                kept.Append(line).Append('\n');
            }
        }
        return kept.ToString().TrimEnd('\n') + "\n";
    }

    [GeneratedRegex("""^\[(target\..+\.)?dev[-_]dependencies(\..+)?\]$""")]
    private static partial Regex DevDependencyTable();
}
