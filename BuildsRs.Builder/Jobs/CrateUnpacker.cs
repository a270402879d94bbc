using System.Formats.Tar;
using System.IO.Compression;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Unpacks a <c>.crate</c> without trusting it: every entry must lie under <c>{name}-{version}/</c>, with no absolute
/// path and no <c>..</c>, and be a file or a folder; sizes and counts are capped. Files that would steer the build
/// (<c>.cargo/config*</c>, <c>rust-toolchain*</c>) are removed.
/// </summary>
/// <remarks>
/// Links of any kind are refused, as crates.io refuses them. The kernel resolves a link from where it really is, not
/// from the text of its path, so a link placed behind another link can lead out of the tree however "inside" each one
/// reads; checking every entry against the real file system instead would have to hold for every later reader of
/// the folder too (the sandbox, the walks, the removal). <c>cargo package</c> follows links and packs their contents,
/// so no crate that cargo made has one. Files are created with <see cref="FileMode.CreateNew"/>, which never writes
/// through an existing link, and the tree holds nothing but what was unpacked.
/// </remarks>
public static class CrateUnpacker
{
    public const int MaxEntries = 50_000;
    public const long MaxUnpackedBytes = 512L * 1024 * 1024;

    /// <returns>The crate's root folder inside <paramref name="destination"/>.</returns>
    public static string Unpack(byte[] crate, string name, string version, string destination, CancellationToken cancellationToken = default)
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
                cancellationToken.ThrowIfCancellationRequested();
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
                        using (var file = new FileStream(path, new FileStreamOptions
                        {
                            Mode = FileMode.CreateNew, Access = FileAccess.Write,
                            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                        }))
                        {
                            entry.DataStream?.CopyTo(file);
                        }
                        break;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        throw LinkRefused(entry);
                    default:
                        throw Hostile($"the entry '{entry.Name}' is a {entry.EntryType}");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or IOException)
        {
            throw Hostile($"not a valid .crate archive: {ex.Message}");
        }
        if (HostFiles.KindOf(Path.Combine(root, "Cargo.toml")) != HostFiles.Kind.Regular)
        {
            throw Hostile("there is no Cargo.toml at the top of the crate");
        }
        RemoveBuildOverrides(root, cancellationToken);
        return root;
    }

    private static void RemoveBuildOverrides(string root, CancellationToken cancellationToken)
    {
        var overrides = FolderWalk.Entries(root, MaxEntries, cancellationToken)
            .Where(entry => entry is FileInfo && (entry.Name.StartsWith("rust-toolchain", StringComparison.Ordinal) && Path.GetDirectoryName(entry.FullName) == root
                || entry.Name.StartsWith("config", StringComparison.Ordinal) && Path.GetFileName(Path.GetDirectoryName(entry.FullName)) == ".cargo"))
            .ToList();
        foreach (var file in overrides)
        {
            file.Delete();
        }
    }

    /// <summary>The refusal of a link entry, the same whether the crate is unpacked or read in memory.</summary>
    internal static JobFailedException LinkRefused(TarEntry entry) =>
        Hostile($"the entry '{entry.Name}' is a link (to '{entry.LinkName}'): a .crate holds only files and folders");

    // A crate that cannot be unpacked safely is the crate's own doing: final, not retried.
    private static JobFailedException Hostile(string reason) => new(JobOutcome.Rejected, $"refused to unpack the .crate: {reason}");
}
