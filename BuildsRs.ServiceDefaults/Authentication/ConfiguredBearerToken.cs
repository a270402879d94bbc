using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace BuildsRs.ServiceDefaults.Authentication;

/// <summary>A token given in configuration (the admin token); an empty setting matches nothing.</summary>
internal sealed class ConfiguredBearerToken(string role, string configurationKey, IConfiguration configuration) : IBearerTokenValidator
{
    public ValueTask<ClaimsIdentity?> ValidateAsync(string token, HttpContext context)
    {
        var expected = configuration[configurationKey];
        var matches = !string.IsNullOrEmpty(expected)
            && CryptographicOperations.FixedTimeEquals(BearerTokenHash.Of(token), BearerTokenHash.Of(expected));
        return ValueTask.FromResult(matches ? BearerTokenIdentity.Of(role) : null);
    }
}
