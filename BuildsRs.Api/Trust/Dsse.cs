using System.Text;

namespace BuildsRs.Api.Trust;

/// <summary>The Dead Simple Signing Envelope: what is signed is <c>"DSSEv1" SP len(type) SP type SP len(body) SP body</c>.</summary>
public static class Dsse
{
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    public static byte[] PreAuthenticationEncoding(string payloadType, byte[] payload) =>
        [.. Encoding.UTF8.GetBytes($"DSSEv1 {Encoding.UTF8.GetByteCount(payloadType)} {payloadType} {payload.Length} "), .. payload];
}
