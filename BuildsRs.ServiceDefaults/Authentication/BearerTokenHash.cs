using System.Security.Cryptography;
using System.Text;

namespace BuildsRs.ServiceDefaults.Authentication;

/// <summary>What a bearer token is kept and compared as: its SHA-256, so that whoever reads the store cannot present it.</summary>
public static class BearerTokenHash
{
    public static byte[] Of(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
