using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace BuildsRs.Api.Trust;

/// <summary>
/// Signs with the Api's Ed25519 key, in minisign's format (the one cargo-binstall and cargo-quickinstall use): a
/// prehashed signature (<c>ED</c>, over the archive's BLAKE2b-512) and a global signature over it and the trusted
/// comment. The same key signs provenance envelopes (DSSE). The key id is the first 8 bytes of the public key's SHA-256.
/// </summary>
public sealed class ArtifactSigner : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly Key key;
    private readonly byte[] keyId;

    public ArtifactSigner(IOptions<SigningOptions> options)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.SecretKey));
        key = Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        keyId = SHA256.HashData(publicKey)[..8];
        PublicKey = Convert.ToBase64String([.. "Ed"u8, .. keyId, .. publicKey]);
        Retired = [.. options.Value.RetiredPublicKeys];
    }

    /// <summary>The public key in minisign's base64 form (what <c>minisign -P</c> takes).</summary>
    public string PublicKey { get; }

    /// <summary>The key id as minisign shows it (the little-endian number, in upper-case hex).</summary>
    public string KeyId => BinaryPrimitives.ReadUInt64LittleEndian(keyId).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Retired { get; }

    /// <summary>The public key file, as <c>minisign -p</c> reads it.</summary>
    public string PublicKeyFile => $"untrusted comment: minisign public key {KeyId}\n{PublicKey}\n";

    /// <summary>The <c>.minisig</c> file of content whose BLAKE2b-512 is <paramref name="blake2b512"/>.</summary>
    public string Sign(ReadOnlySpan<byte> blake2b512, string trustedComment)
    {
        if (trustedComment.Contains('\n', StringComparison.Ordinal) || trustedComment.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException("a trusted comment is one line", nameof(trustedComment));
        }
        var signature = Ed25519.Sign(key, blake2b512);
        var global = Ed25519.Sign(key, [.. signature, .. Encoding.UTF8.GetBytes(trustedComment)]);
        return $"""
            untrusted comment: signature from BuildsRs key {KeyId}
            {Convert.ToBase64String([.. "ED"u8, .. keyId, .. signature])}
            trusted comment: {trustedComment}
            {Convert.ToBase64String(global)}

            """;
    }

    /// <summary>A DSSE signature (over the pre-authentication encoding of the payload), with this key's id.</summary>
    public (string KeyId, byte[] Signature) SignEnvelope(string payloadType, byte[] payload) =>
        (KeyId, Ed25519.Sign(key, Dsse.PreAuthenticationEncoding(payloadType, payload)));

    public void Dispose() => key.Dispose();
}
