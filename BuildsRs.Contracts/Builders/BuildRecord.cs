using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// What a binary or verify build was made from and what it made: the build image's ID, the toolchain
/// (<c>rustc -V</c>), the <c>Cargo.lock</c> it resolved or was given, the archive's SHA-256 and each binary's.
/// </summary>
public sealed record BuildRecord(
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("toolchain")] string Toolchain,
    [property: JsonPropertyName("lockfile")] string Lockfile,
    [property: JsonPropertyName("archive_sha256")] string ArchiveSha256,
    [property: JsonPropertyName("binaries")] IReadOnlyDictionary<string, string> Binaries);
