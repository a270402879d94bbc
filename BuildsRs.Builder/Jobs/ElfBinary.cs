using System.Buffers.Binary;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;
using ElfMachine = ELFSharp.ELF.Machine;

namespace BuildsRs.Builder.Jobs;

/// <summary>What an ELF executable needs to run: its machine, whether it asks for a dynamic loader, and the newest
/// <c>GLIBC_x.y</c> symbol version it needs.</summary>
public sealed record ElfBinary(string Machine, bool Static, Version? Glibc)
{
    /// <summary>Reads <paramref name="path"/>; null when it is not an ELF file.</summary>
    public static ElfBinary? Read(string path)
    {
        if (!ELFReader.TryLoad(path, out var elf))
        {
            return null;
        }
        using (elf)
        {
            var dynamic = elf.Segments.Any(s => s.Type == SegmentType.Interpreter);
            return new ElfBinary(MachineName(elf.Machine), !dynamic, dynamic ? NewestGlibc(elf) : null);
        }
    }

    private static string MachineName(ElfMachine machine) => machine switch
    {
        ElfMachine.AMD64 => "x86-64",
        ElfMachine.AArch64 => "aarch64",
        ElfMachine.ARM => "arm",
        ElfMachine.Intel386 => "x86",
        ElfMachine.PPC64 => "ppc64",
        ElfMachine.S390 => "s390",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The version-needed section (<c>.gnu.version_r</c>) lists, per library, the symbol versions the binary needs
    /// (Elf_Verneed records, each followed by its Elf_Vernaux records; the names live in the linked string table).
    /// </summary>
    private static Version? NewestGlibc(IELF elf)
    {
        if (elf.Sections.FirstOrDefault(s => s.Name == ".gnu.version_r") is not { } needs
            || elf.Sections.FirstOrDefault(s => s.Name == ".dynstr") is not IStringTable names)
        {
            return null;
        }
        var data = needs.GetContents();
        var little = elf.Endianess == ELFSharp.Endianess.LittleEndian;
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
        ushort U16(int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));

        Version? newest = null;
        var need = 0;
        // Both record kinds are 16 bytes; a malformed section ends the walk instead of reading past it.
        for (var records = 0; need >= 0 && need + 16 <= data.Length && records < 1024; records++)
        {
            var aux = need + (int)U32(need + 8);
            for (var count = U16(need + 2); count > 0 && aux >= 0 && aux + 16 <= data.Length; count--)
            {
                if (names[U32(aux + 8)] is { } name && name.StartsWith("GLIBC_", StringComparison.Ordinal)
                    && Version.TryParse(name["GLIBC_".Length..], out var version) && (newest is null || version > newest))
                {
                    newest = version;
                }
                var nextAux = (int)U32(aux + 12);
                if (nextAux == 0)
                {
                    break;
                }
                aux += nextAux;
            }
            var next = (int)U32(need + 12);
            if (next == 0)
            {
                break;
            }
            need += next;
        }
        return newest;
    }
}
