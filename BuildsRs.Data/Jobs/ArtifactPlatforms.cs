using System.Text.RegularExpressions;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;

namespace BuildsRs.Data.Jobs;

/// <summary>What a builder may say about where an artifact runs: it is shown on pages and in headers as given.</summary>
internal static partial class ArtifactPlatforms
{
    /// <summary>Null when <paramref name="platform"/> is well-formed and its machine is the target's, else why not.</summary>
    public static string? Invalid(BinaryPlatform platform, string? target) =>
        !MachinePattern().IsMatch(platform.Machine ?? "") ? "malformed platform: machine"
        : target is not null && TargetTriple.MachineOf(target) is { } expected && platform.Machine != expected
            ? $"a {target} build cannot have {platform.Machine} binaries: they are {expected} binaries"
        : platform.Linkage is not ("static" or "dynamic") ? "malformed platform: linkage is 'static' or 'dynamic'"
        : platform.Glibc is { } glibc && !GlibcPattern().IsMatch(glibc) ? "malformed platform: glibc is a version such as 2.31"
        : platform.Subsystem is not (null or "console" or "gui" or "mixed") ? "malformed platform: subsystem is 'console', 'gui' or 'mixed'"
        : platform.Dlls is { } dlls && (dlls.Count > MaxDlls || !dlls.All(d => DllPattern().IsMatch(d ?? "")))
            ? $"malformed platform: dlls are up to {MaxDlls} lower-case file names"
        : target is not null && !target.Contains("-windows-", StringComparison.Ordinal) && (platform.Subsystem is not null || platform.Dlls is not null)
            ? $"a {target} build has no Windows subsystem or DLLs"
        : null;

    private const int MaxDlls = 512;

    [GeneratedRegex(@"^[a-z0-9_.+-]{1,64}$")]
    private static partial Regex DllPattern();

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex MachinePattern();

    [GeneratedRegex(@"^[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?$")]
    private static partial Regex GlibcPattern();
}
