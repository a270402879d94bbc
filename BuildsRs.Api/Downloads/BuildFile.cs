namespace BuildsRs.Api.Downloads;

/// <summary>The files served for one build: the archive and what vouches for it, each named by a suffix.</summary>
internal enum BuildFile
{
    Archive,

    /// <summary><c>.sha256</c>: the archive's checksum as <c>sha256sum</c> writes it.</summary>
    Checksum,

    /// <summary><c>.minisig</c>: the Api's minisign signature of the archive; also at <c>.sig</c>, where cargo-binstall
    /// looks for it by default.</summary>
    Signature,

    /// <summary><c>.intoto.jsonl</c>: the signed provenance (in-toto / SLSA, in a DSSE envelope).</summary>
    Provenance,

    /// <summary><c>.Cargo.lock</c>: the lockfile the build used (by version and target only).</summary>
    Lockfile,
}

internal static class BuildFiles
{
    private static readonly (string Suffix, BuildFile File)[] Suffixes =
        [(".sha256", BuildFile.Checksum), (".minisig", BuildFile.Signature), (".sig", BuildFile.Signature), (".intoto.jsonl", BuildFile.Provenance),
            (".Cargo.lock", BuildFile.Lockfile)];

    /// <summary>The file a name ends by, and the name without that suffix.</summary>
    public static (BuildFile File, string Name) Of(string name) =>
        Suffixes.FirstOrDefault(s => name.EndsWith(s.Suffix, StringComparison.Ordinal)) is { Suffix: { } suffix } match
            ? (match.File, name[..^suffix.Length])
            : (BuildFile.Archive, name);
}
