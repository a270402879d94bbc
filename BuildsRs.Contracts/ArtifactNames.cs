namespace BuildsRs.Contracts;

/// <summary>How artifacts are named and where they are stored; deterministic from (crate, version, target).</summary>
public static class ArtifactNames
{
    /// <summary>The archive of a build, with the binaries at its root (cargo-binstall's and cargo-quickinstall's layout).</summary>
    public static string Archive(string crate, string version, string target) => $"{crate}-{version}-{target}.tar.gz";

    public static string StorageKey(string crate, string version, string target, string file) =>
        $"crates/{crate.ToLowerInvariant()}/{version}/{target}/{file}";
}
