namespace BuildsRs.Contracts.Registry;

/// <summary>Where a crate's file lives in an index: <c>1/a</c>, <c>2/ab</c>, <c>3/a/abc</c>, <c>ab/cd/abcd...</c>.</summary>
public static class IndexPath
{
    /// <summary>The index path of a crate, from its lower-cased name.</summary>
    public static string For(string crateName)
    {
        var name = crateName.ToLowerInvariant();
        return $"{Prefix(name)}/{name}";
    }

    /// <summary>The folder part of the path, as the <c>{prefix}</c> marker of <c>dl</c> uses it (case kept).</summary>
    public static string Prefix(string crateName) => crateName.Length switch
    {
        0 => throw new ArgumentException("A crate name cannot be empty.", nameof(crateName)),
        1 => "1",
        2 => "2",
        3 => $"3/{crateName[..1]}",
        _ => $"{crateName[..2]}/{crateName[2..4]}",
    };

    /// <summary>The crate name a path names, or null when the path is not where a crate file can be.</summary>
    public static string? CrateNameOf(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return CrateName.IsValid(name) && !name.Any(char.IsAsciiLetterUpper) && For(name) == path ? name : null;
    }
}
