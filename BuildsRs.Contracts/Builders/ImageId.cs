using System.Text.RegularExpressions;

namespace BuildsRs.Contracts.Builders;

/// <summary>A Docker image ID (<c>sha256:</c> and 64 lower-case hex digits): what names a build image for good, where a
/// tag can be moved.</summary>
public static partial class ImageId
{
    public static bool IsValid(string? image) => Pattern().IsMatch(image ?? "");

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Pattern();
}
