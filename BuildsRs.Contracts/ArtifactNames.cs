namespace BuildsRs.Contracts;

/// <summary>How artifacts are named and where they are stored; deterministic from (crate, version, target).</summary>
public static class ArtifactNames
{
    /// <summary>The archive of a build, with the binaries at its root (cargo-binstall's and cargo-quickinstall's layout).</summary>
    public static string Archive(string crate, string version, string target) => $"{crate}-{version}-{target}.tar.gz";

    /// <summary>
    /// Where a build's file is stored. The attempt is part of the key: a rebuild stores beside the earlier build and
    /// never overwrites bytes that an existing artifact record (and its SHA-256) describes.
    /// </summary>
    public static string StorageKey(string crate, string version, string target, int attempt, string file) =>
        $"crates/{crate.ToLowerInvariant()}/{version}/{target}/{attempt}/{file}";
}
