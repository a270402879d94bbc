using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Tests.Unit;

/// <summary>What the builder makes of the files a build installed, before anything is uploaded.</summary>
public sealed class BinaryPlatformTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-elf-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public void This_machines_own_executables_read_as_dynamic_x86_64_with_their_glibc_floor()
    {
        var platform = BinaryJob.PlatformOf(["/bin/sh"], "x86_64-unknown-linux-gnu");

        Assert.Equal(("x86-64", "dynamic"), (platform!.Machine, platform.Linkage));
        Assert.True(Version.Parse(platform.Glibc!) >= new Version(2, 2), platform.Glibc);
    }

    [Fact]
    public void A_script_installed_as_a_binary_is_refused()
    {
        var script = Write("tool", "#!/bin/sh\necho hello\n"u8.ToArray());

        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf([script], "x86_64-unknown-linux-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("tool is not an ELF executable, which a x86_64-unknown-linux-gnu binary must be", failure.Message);
    }

    [Fact]
    public void A_truncated_ELF_file_is_refused_without_reading_past_its_end()
    {
        var truncated = Write("tool", [.. File.ReadAllBytes("/bin/sh").Take(70)]);

        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf([truncated], "x86_64-unknown-linux-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.StartsWith("tool is not", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_x86_64_binary_for_an_aarch64_target_is_refused()
    {
        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf(["/bin/sh"], "aarch64-unknown-linux-gnu"));

        Assert.Equal("sh is built for x86-64, not for aarch64 as aarch64-unknown-linux-gnu needs: refused", failure.Message);
    }

    [Fact]
    public void A_Linux_executable_installed_for_a_Windows_target_is_refused()
    {
        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf(["/bin/sh"], "x86_64-pc-windows-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("sh is not a PE executable, which a x86_64-pc-windows-gnu binary must be", failure.Message);
    }

    [Fact]
    public void A_PE_file_whose_headers_end_early_is_refused_without_reading_past_its_end()
    {
        var truncated = Write("tool.exe", [(byte)'M', (byte)'Z', .. new byte[58], 0x40, 0, 0, 0, (byte)'P', (byte)'E', 0, 0, 0x64, 0x86]);

        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf([truncated], "x86_64-pc-windows-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.StartsWith("tool.exe is not a PE executable that can be read: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_32_bit_exe_for_a_64_bit_Windows_target_is_refused()
    {
        var exe = Write("tool.exe", Executable(Machine.I386));

        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf([exe], "x86_64-pc-windows-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("tool.exe is built for x86, not for x86-64 as x86_64-pc-windows-gnu needs: refused", failure.Message);
    }

    [Fact]
    public void An_exe_reads_as_its_machine_and_subsystem_with_the_DLLs_it_imports()
    {
        var (x86, x64) = (Write("x86.exe", Executable(Machine.I386)), Write("x64.exe", Executable(Machine.Amd64)));

        var (read32, read64) = (PeBinary.Read(x86)!, PeBinary.Read(x64)!);

        // What the base library's own PE writer puts in: a 32-bit image imports the .NET runtime's loader, a 64-bit
        // one nothing.
        Assert.Equal(("x86", "console", "mscoree.dll"), (read32.Machine, read32.Subsystem, string.Join(",", read32.Dlls)));
        Assert.Equal(("x86-64", "console", ""), (read64.Machine, read64.Subsystem, string.Join(",", read64.Dlls)));
    }

    [Fact]
    public void An_exe_whose_import_table_points_past_its_end_is_refused()
    {
        var image = Executable(Machine.I386);
        // PE32: the optional header follows the 24 bytes of signature and COFF header; the import table's entry is the
        // second of the data directories, which start 96 bytes into it.
        var importDirectory = BitConverter.ToInt32(image, 0x3C) + 24 + 96 + 8;
        BitConverter.GetBytes(0x7FFF_0000).CopyTo(image, importDirectory);
        var exe = Write("tool.exe", image);

        var failure = Assert.Throws<JobFailedException>(() => BinaryJob.PlatformOf([exe], "x86_64-pc-windows-gnu"));

        Assert.Equal(JobOutcome.BuildFailed, failure.Outcome);
        Assert.Equal("tool.exe is not a PE executable that can be read: the import table has no end", failure.Message);
    }

    /// <summary>A console exe of <paramref name="machine"/> as the base library's PE writer makes one (a managed one: all
    /// it takes is metadata for an empty module).</summary>
    private static byte[] Executable(Machine machine)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString("tool.exe"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var builder = new ManagedPEBuilder(new PEHeaderBuilder(machine, imageCharacteristics: Characteristics.ExecutableImage, subsystem: Subsystem.WindowsCui),
            new MetadataRootBuilder(metadata), new BlobBuilder());
        var image = new BlobBuilder();
        builder.Serialize(image);
        return image.ToArray();
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(work, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
