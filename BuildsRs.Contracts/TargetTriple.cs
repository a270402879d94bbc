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
}
