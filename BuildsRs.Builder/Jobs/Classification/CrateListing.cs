using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs.Classification;

/// <summary>
/// What classifying a crate needs of its <c>.crate</c>, read in memory and nothing written: its <c>Cargo.toml</c>
/// and the paths of its files. Entries are held to the unpacker's rules (under <c>{name}-{version}/</c>, no <c>..</c>,
/// no absolute paths, nothing but files and folders, capped counts and sizes), so a crate the builds refuse is
/// refused here too.
/// </summary>
public sealed record CrateListing(string Manifest, IReadOnlySet<string> Files)
{
    /// <summary>A manifest larger than this is not one cargo publishes.</summary>
    public const int MaxManifestBytes = 1024 * 1024;

    public static CrateListing Read(byte[] crate, string name, string version)
    {
        var prefix = $"{name}-{version}/";
        var files = new HashSet<string>(StringComparer.Ordinal);
        string? manifest = null;
        var entries = 0;
        long total = 0;
        try
        {
            using var reader = new TarReader(new GZipStream(new MemoryStream(crate), CompressionMode.Decompress));
            while (reader.GetNextEntry() is { } entry)
            {
                if (++entries > CrateUnpacker.MaxEntries)
                {
                    throw Hostile($"more than {CrateUnpacker.MaxEntries} entries");
                }
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                {
                    continue;
                }
                var path = entry.Name.Replace('\\', '/');
                if (path.StartsWith('/') || !path.StartsWith(prefix, StringComparison.Ordinal) || path.Split('/').Contains(".."))
                {
                    throw Hostile($"the entry '{entry.Name}' is outside {prefix}");
                }
                var relative = path[prefix.Length..];
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        break;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        throw CrateUnpacker.LinkRefused(entry);
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        // Skipping an entry still inflates it: the same cap as unpacking bounds the work.
                        if ((total += entry.Length) > CrateUnpacker.MaxUnpackedBytes)
                        {
                            throw Hostile($"more than {CrateUnpacker.MaxUnpackedBytes} bytes unpacked");
                        }
                        files.Add(relative);
                        if (relative == "Cargo.toml" && entry.DataStream is { } data)
                        {
                            manifest = ReadManifest(data, entry.Length);
                        }
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
        return manifest is null
            ? throw Hostile("there is no Cargo.toml at the top of the crate")
            : new CrateListing(manifest, files);
    }

    private static string ReadManifest(Stream data, long length)
    {
        if (length > MaxManifestBytes)
        {
            throw new JobFailedException(JobOutcome.Rejected, $"Cargo.toml is larger than {MaxManifestBytes} bytes");
        }
        using var text = new StreamReader(data, Encoding.UTF8);
        return text.ReadToEnd();
    }

    private static JobFailedException Hostile(string reason) => new(JobOutcome.Rejected, $"refused to unpack the .crate: {reason}");
}
