using System.Diagnostics.CodeAnalysis;

namespace BuildsRs.Contracts;

/// <summary>
/// crates.io's rules for crate names: ASCII letters, digits, <c>-</c> and <c>_</c>, starting with a letter, at most
/// 64 characters. Two names that differ only in case or in <c>-</c> versus <c>_</c> are the same crate.
/// </summary>
public static class CrateName
{
    public const int MaxLength = 64;

    public static bool IsValid([NotNullWhen(true)] string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && char.IsAsciiLetter(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// The form under which a name is unique, as crates.io canonicalises it: lower case, <c>-</c> written as <c>_</c>.
    /// The database computes the same form (crates.normalized_name); keep the two in step.
    /// </summary>
    /// <summary>A search term: what a name may contain, in any position (a prefix or a misspelling is fine).</summary>
    public static bool IsSearchable([NotNullWhen(true)] string? query) =>
        !string.IsNullOrEmpty(query) && query.Length <= MaxLength && query.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Normalize(string name) => name.ToLowerInvariant().Replace('-', '_');
}
