using System.Security.Cryptography;
using System.Text;

namespace BuildsRs.Api.Jobs;

internal static class UploadTokens
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Matches(string? presented, byte[]? expectedHash) =>
        presented is not null && expectedHash is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), expectedHash);
}
