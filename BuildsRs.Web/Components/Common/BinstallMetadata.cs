namespace BuildsRs.Web.Components.Common;

/// <summary>
/// What a crate's owner adds to <c>Cargo.toml</c> so that a plain <c>cargo binstall CRATE</c> takes its binaries from
/// this service and checks their signature: cargo-binstall reads <c>[package.metadata.binstall]</c>, expands the URL
/// template for the user's target, and fetches the minisign signature at the archive's address plus <c>.sig</c>.
/// </summary>
public static class BinstallMetadata
{
    /// <summary>The URL template in cargo-binstall's syntax, on the quickinstall layout the Api serves.</summary>
    public static string PkgUrl(string apiBase) => $"{apiBase}/builds/{{ name }}-{{ version }}/{{ name }}-{{ version }}-{{ target }}.tar.gz";

    public static string Toml(string apiBase, string publicKey) => $$"""
        [package.metadata.binstall]
        pkg-url = "{{PkgUrl(apiBase)}}"
        pkg-fmt = "tgz"
        bin-dir = "{ bin }{ binary-ext }"

        [package.metadata.binstall.signing]
        algorithm = "minisign"
        pubkey = "{{publicKey}}"
        """;
}
