using System.Text.RegularExpressions;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Finds, in a failed build's output, the C library the crate needs that the target's build image does not have:
/// the linker's "cannot find -lz", a missing header, or pkg-config finding no package (or refusing a cross target).
/// </summary>
public static partial class MissingLibrary
{
    [GeneratedRegex(@"cannot find -l(?<name>[\w.+-]+)|fatal error: (?<name>[\w/.+-]+\.h): No such file|Package (?<name>[\w.+-]+) was not found in the pkg-config search path|The system library `(?<name>[\w.+-]+)` required by crate|pkg-config has not been configured to support cross-compilation")]
    private static partial Regex Symptom();

    /// <summary>The library (or header) named in <paramref name="buildOutput"/>, "a system library" when only pkg-config's refusal says so, or null.</summary>
    public static string? In(string buildOutput) =>
        Symptom().Match(buildOutput) is { Success: true } match
            ? match.Groups["name"] is { Success: true } name ? name.Value : "a system library"
            : null;
}
