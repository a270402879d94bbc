using System.Security.Claims;

namespace BuildsRs.ServiceDefaults.Authentication;

public static class BearerTokenIdentity
{
    public static ClaimsIdentity Of(string role, params Claim[] claims) =>
        new([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role), .. claims], BearerTokens.Scheme);
}
