using System.Security.Cryptography;
using System.Text;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// How a builder proves it holds its key: ECDSA P-256 with SHA-256 over <see cref="Payload"/>, the signature in IEEE
/// P1363 form (r ‖ s, 64 bytes), base64. The payload binds the signature to one connection and one nonce, so a
/// signature seen once is worth nothing later.
/// </summary>
public static class BuilderSignature
{
    public const int ProtocolVersion = 2;

    public static byte[] Payload(string connectionId, string nonce) =>
        Encoding.UTF8.GetBytes($"buildsrs-builder-challenge\n{ProtocolVersion}\n{connectionId}\n{nonce}");

    /// <summary>Lower-case hex SHA-256 of the public key (SubjectPublicKeyInfo, DER).</summary>
    public static string Fingerprint(byte[] publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey));

    public static string Sign(ECDsa key, string connectionId, string nonce) =>
        Convert.ToBase64String(key.SignData(Payload(connectionId, nonce), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public static bool Verify(byte[] publicKey, string connectionId, string nonce, string signature)
    {
        Span<byte> bytes = stackalloc byte[128];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
        {
            return false;
        }
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key.VerifyData(Payload(connectionId, nonce), bytes[..length], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
