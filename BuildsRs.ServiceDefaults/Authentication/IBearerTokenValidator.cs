using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace BuildsRs.ServiceDefaults.Authentication;

/// <summary>Recognises one kind of bearer token.</summary>
public interface IBearerTokenValidator
{
    /// <summary>The identity (with its role) of whoever presents <paramref name="token"/> on this request, or null when it is not this kind's token.</summary>
    ValueTask<ClaimsIdentity?> ValidateAsync(string token, HttpContext context);
}
