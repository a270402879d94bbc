using System.Security.Cryptography;
using System.Text;

namespace BuildsRs.Api.Builders;

internal static class BearerToken
{
    /// <summary>Whether the request carries <c>Authorization: Bearer {expected}</c>, compared in constant time.</summary>
    public static bool Matches(HttpRequest request, string? expected)
    {
        var header = request.Headers.Authorization.ToString();
        return !string.IsNullOrEmpty(expected)
            && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..]), Encoding.UTF8.GetBytes(expected));
    }
}
