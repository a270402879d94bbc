using System.Diagnostics.CodeAnalysis;

namespace BuildsRs.Contracts;

/// <summary>Target triples as rustc names them (<c>x86_64-unknown-linux-gnu</c>, <c>thumbv7em-none-eabihf</c>).</summary>
public static class TargetTriple
{
    public const int MaxLength = 100;

    public static bool IsValid([NotNullWhen(true)] string? triple) =>
        triple is { Length: > 0 and <= MaxLength }
        && triple.Split('-') is { Length: >= 2 and <= 5 } parts
        && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.'));

    /// <summary>The ELF machine a target's binaries have (by its architecture), as builders report it; null for one we do not know.</summary>
    public static string? MachineOf(string target) => target.Split('-')[0] switch
    {
        "x86_64" => "x86-64",
        "aarch64" => "aarch64",
        "i586" or "i686" => "x86",
        var arch when arch.StartsWith("arm", StringComparison.Ordinal) || arch.StartsWith("thumb", StringComparison.Ordinal) => "arm",
        "powerpc64le" => "ppc64",
        "s390x" => "s390",
        _ => null,
    };
}
