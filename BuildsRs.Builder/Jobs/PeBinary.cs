using System.Reflection.PortableExecutable;
using PeMachine = System.Reflection.PortableExecutable.Machine;
using PeSubsystem = System.Reflection.PortableExecutable.Subsystem;
using System.Text;

namespace BuildsRs.Builder.Jobs;

/// <summary>What a Windows executable needs to run: its machine, its subsystem (<c>console</c> or <c>gui</c>) and the
/// DLLs it imports, by name in lower case.</summary>
public sealed record PeBinary(string Machine, string Subsystem, IReadOnlyList<string> Dlls)
{
    /// <summary>More DLLs than a program imports; a table longer than this is malformed.</summary>
    private const int MaxImports = 512;

    /// <summary>Reads <paramref name="path"/>; null when it is not a PE image.</summary>
    /// <exception cref="BadImageFormatException">A PE image whose headers or import table cannot be read.</exception>
    public static PeBinary? Read(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        if (file.Read(magic) != 2 || magic[0] != 'M' || magic[1] != 'Z')
        {
            return null;
        }
        file.Position = 0;
        using var pe = new PEReader(file);
        var headers = pe.PEHeaders;
        if (headers.PEHeader is not { } optional || headers.IsDll)
        {
            return null;
        }
        var dlls = new SortedSet<string>(StringComparer.Ordinal);
        ReadImports(pe, optional.ImportTableDirectory, descriptorSize: 20, nameAt: 12, dlls);
        // Delay-loaded DLLs are loaded at their first call, not at start: a missing one still stops the program then.
        ReadImports(pe, optional.DelayImportTableDirectory, descriptorSize: 32, nameAt: 4, dlls);
        return new PeBinary(MachineName(headers.CoffHeader.Machine), SubsystemName(optional.Subsystem), [.. dlls]);
    }

    private static string MachineName(PeMachine machine) => machine switch
    {
        PeMachine.Amd64 => "x86-64",
        PeMachine.I386 => "x86",
        PeMachine.Arm64 => "aarch64",
        PeMachine.Arm or PeMachine.ArmThumb2 or PeMachine.Thumb => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string SubsystemName(PeSubsystem subsystem) => subsystem switch
    {
        PeSubsystem.WindowsCui => "console",
        PeSubsystem.WindowsGui => "gui",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// An import table is an array of descriptors ended by one of zeros; each names its DLL by the address of an ASCII
    /// string (IMAGE_IMPORT_DESCRIPTOR, 20 bytes, name at 12; the delay-load one, 32 bytes, name at 4).
    /// </summary>
    private static void ReadImports(PEReader pe, DirectoryEntry directory, int descriptorSize, int nameAt, SortedSet<string> dlls)
    {
        if (directory.RelativeVirtualAddress == 0)
        {
            return;
        }
        var table = pe.GetSectionData(directory.RelativeVirtualAddress).GetReader();
        for (var count = 0; table.RemainingBytes >= descriptorSize; count++)
        {
            if (count == MaxImports)
            {
                throw new BadImageFormatException($"more than {MaxImports} imported DLLs");
            }
            var descriptor = table.ReadBytes(descriptorSize);
            if (descriptor.All(b => b == 0))
            {
                return;
            }
            var nameRva = BitConverter.ToInt32(descriptor, nameAt);
            dlls.Add(NameAt(pe, nameRva).ToLowerInvariant());
        }
        throw new BadImageFormatException("the import table has no end");
    }

    private static string NameAt(PEReader pe, int rva)
    {
        var reader = pe.GetSectionData(rva).GetReader();
        var name = new StringBuilder();
        while (reader.RemainingBytes > 0 && name.Length <= 255)
        {
            var c = reader.ReadByte();
            if (c == 0)
            {
                return name.ToString();
            }
            if (c < 0x20 || c > 0x7e)
            {
                throw new BadImageFormatException("an imported DLL's name is not printable ASCII");
            }
            name.Append((char)c);
        }
        throw new BadImageFormatException("an imported DLL's name has no end");
    }
}
