namespace BuildsRs.Contracts;

/// <summary>How artifacts are named and where they are stored; deterministic from (crate, version, target).</summary>
public static class ArtifactNames
{
    /// <summary>The archive of a build, with the binaries at its root (cargo-binstall's and cargo-quickinstall's layout).</summary>
    public static string Archive(string crate, string version, string target) => $"{crate}-{version}-{target}.tar.gz";

    /// <summary>
    /// Where a build's file is stored: a key that names its content. Bytes other than those whose SHA-256 a record
    /// holds (and a signature covers) can never be stored under that record's key, however many uploads race, and a
    /// rebuild (another attempt) stores beside the earlier build.
    /// </summary>
    public static string StorageKey(string crate, string version, string target, int attempt, string sha256, string file) =>
        $"crates/{crate.ToLowerInvariant()}/{version}/{target}/{attempt}/{sha256}/{file}";
}
