using System.Formats.Tar;
using System.IO.Compression;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Unpacks a <c>.crate</c> without trusting it: every entry must lie under <c>{name}-{version}/</c>, with no absolute
/// path, no <c>..</c>, no link that leaves the tree and nothing but files, folders and such links; sizes and counts are
/// capped. Files that would steer the build (<c>.cargo/config*</c>, <c>rust-toolchain*</c>) are removed.
/// </summary>
public static class CrateUnpacker
{
    public const int MaxEntries = 50_000;
    public const long MaxUnpackedBytes = 512L * 1024 * 1024;

    /// <returns>The crate's root folder inside <paramref name="destination"/>.</returns>
    public static string Unpack(byte[] crate, string name, string version, string destination)
    {
        var prefix = $"{name}-{version}/";
        var root = Path.GetFullPath(Path.Combine(destination, $"{name}-{version}"));
        Directory.CreateDirectory(root);
        long total = 0;
        var entries = 0;
        try
        {
            using var reader = new TarReader(new GZipStream(new MemoryStream(crate), CompressionMode.Decompress));
            while (reader.GetNextEntry() is { } entry)
            {
                if (++entries > MaxEntries)
                {
                    throw Hostile($"more than {MaxEntries} entries");
                }
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                {
                    continue;
                }
                var relative = entry.Name.Replace('\\', '/');
                if (relative.StartsWith('/') || !relative.StartsWith(prefix, StringComparison.Ordinal) || relative.Split('/').Contains(".."))
                {
                    throw Hostile($"the entry '{entry.Name}' is outside {prefix}");
                }
                var path = Path.GetFullPath(Path.Combine(destination, relative));
                if (!path.StartsWith(root, StringComparison.Ordinal))
                {
                    throw Hostile($"the entry '{entry.Name}' resolves outside the crate");
                }
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        total += entry.Length;
                        if (total > MaxUnpackedBytes)
                        {
                            throw Hostile($"more than {MaxUnpackedBytes} bytes unpacked");
                        }
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        entry.ExtractToFile(path, overwrite: false);
                        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                        break;
                    case TarEntryType.SymbolicLink:
                        var linkTarget = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, entry.LinkName));
                        if (Path.IsPathRooted(entry.LinkName) || !linkTarget.StartsWith(root + "/", StringComparison.Ordinal))
                        {
                            throw Hostile($"the link '{entry.Name}' points outside the crate ({entry.LinkName})");
                        }
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.CreateSymbolicLink(path, entry.LinkName);
                        break;
                    default:
                        throw Hostile($"the entry '{entry.Name}' is a {entry.EntryType}");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or IOException)
        {
            throw Hostile($"not a valid .crate archive: {ex.Message}");
        }
        if (!File.Exists(Path.Combine(root, "Cargo.toml")))
        {
            throw Hostile("there is no Cargo.toml at the top of the crate");
        }
        RemoveBuildOverrides(root);
        return root;
    }

    private static void RemoveBuildOverrides(string root)
    {
        foreach (var file in Directory.EnumerateFiles(root, "rust-toolchain*", SearchOption.TopDirectoryOnly))
        {
            File.Delete(file);
        }
        foreach (var cargoDirectory in Directory.EnumerateDirectories(root, ".cargo", SearchOption.AllDirectories))
        {
            foreach (var config in Directory.EnumerateFiles(cargoDirectory, "config*"))
            {
                File.Delete(config);
            }
        }
    }

    // A crate that cannot be unpacked safely is the crate's own doing: final, not retried.
    private static JobFailedException Hostile(string reason) => new(JobOutcome.Rejected, $"refused to unpack the .crate: {reason}");
}
