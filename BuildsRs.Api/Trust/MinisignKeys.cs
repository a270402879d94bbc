using System.Buffers.Binary;
using System.Globalization;

namespace BuildsRs.Api.Trust;

/// <summary>Reading minisign public keys: <c>base64("Ed" || key id (8 bytes) || Ed25519 public key (32 bytes))</c>.</summary>
public static class MinisignKeys
{
    /// <summary>The key id as minisign shows it, or "?" for something that is not a minisign public key.</summary>
    public static string IdOf(string publicKey)
    {
        var bytes = new byte[42];
        return Convert.TryFromBase64String(publicKey, bytes, out var length) && length == 42 && bytes[0] == 'E' && bytes[1] == 'd'
            ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(2, 8)).ToString("X16", CultureInfo.InvariantCulture)
            : "?";
    }
}
