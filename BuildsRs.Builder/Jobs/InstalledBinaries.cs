using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Takes the binaries a build installed (<c>/out/bin</c> in the sandbox, a folder of the builder's host) once the
/// sandbox is gone. The build's own code wrote that folder and may have left anything there: only regular files are
/// taken, each opened without following a link or blocking (<see cref="HostFiles"/>), and copied into a folder of the
/// builder's own, which no sandbox ever sees; packing, hashing and reading the ELF headers use the copies.
/// </summary>
public static class InstalledBinaries
{
    /// <summary>More binaries than any crate installs (cargo-binutils, with 19, is among the most).</summary>
    public const int MaxBinaries = 256;

    private static readonly EnumerationOptions TopLevel = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 };

    /// <returns>The copies in <paramref name="destination"/>, by name; none when the build installed nothing.</returns>
    /// <exception cref="JobFailedException">The folder holds something other than regular files, too many of them,
    /// or more than <paramref name="maxBytes"/>.</exception>
    public static IReadOnlyList<string> Collect(string installed, string destination, long maxBytes, CancellationToken cancellationToken)
    {
        switch (HostFiles.KindOf(installed))
        {
            case HostFiles.Kind.Missing:
                return [];
            case var kind and not HostFiles.Kind.Directory:
                throw Refused($"the build made its install folder bin {HostFiles.Describe(kind)}");
        }
        var names = new DirectoryInfo(installed).EnumerateFileSystemInfos("*", TopLevel).Take(MaxBinaries + 1).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        if (names.Count > MaxBinaries)
        {
            throw Refused($"the build installed more than {MaxBinaries} files");
        }
        Directory.CreateDirectory(destination);
        var copies = new List<string>(names.Count);
        long total = 0;
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copy = Path.Combine(destination, name);
            try
            {
                using var source = HostFiles.OpenRegular(Path.Combine(installed, name));
                if ((total += source.Length) > maxBytes)
                {
                    throw Refused($"the build installed more than {SandboxLimits.Describe(maxBytes)}");
                }
                using var target = new FileStream(copy, FileMode.CreateNew, FileAccess.Write);
                source.CopyTo(target);
            }
            catch (NotARegularFileException unexpected)
            {
                throw Refused($"the build left {HostFiles.Describe(unexpected.Kind)} in its install folder (bin/{name}), where only binaries belong");
            }
            copies.Add(copy);
        }
        return copies;
    }

    // The build's own doing: final, like any other failed build.
    private static JobFailedException Refused(string reason) => new(JobOutcome.BuildFailed, $"{reason}: refused");
}
