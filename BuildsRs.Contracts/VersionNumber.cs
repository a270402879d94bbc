using System.Diagnostics.CodeAnalysis;
using Semver;

namespace BuildsRs.Contracts;

/// <summary>Crate versions are strict semantic versions, as cargo publishes them.</summary>
public static class VersionNumber
{
    /// <summary>The longest version the database stores.</summary>
    public const int MaxLength = 255;

    public static bool IsValid([NotNullWhen(true)] string? version) =>
        version is { Length: > 0 and <= MaxLength } && SemVersion.TryParse(version, SemVersionStyles.Strict, out _);
}
