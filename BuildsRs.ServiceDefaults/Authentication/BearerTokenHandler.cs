using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildsRs.ServiceDefaults.Authentication;

/// <summary>
/// Reads <c>Authorization: Bearer</c> and asks each kind of token whether it is theirs. A missing or unknown token is
/// answered 401 with <c>WWW-Authenticate</c>, a token of another kind 403, both as problem details.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IEnumerable<IBearerTokenValidator> validators, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[Prefix.Length..].Trim();
        foreach (var validator in validators)
        {
            if (token.Length > 0 && await validator.ValidateAsync(token, Context) is { } identity)
            {
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
            }
        }
        return AuthenticateResult.Fail("the bearer token is not valid here");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Request.Headers.Authorization.ToString().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        await WriteProblemAsync(presented
            ? "The bearer token is not valid here (unknown, or its job is no longer running)."
            : "This needs a bearer token: Authorization: Bearer <token>.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirst(ClaimTypes.Role)?.Value;
        await WriteProblemAsync($"The {role} token does not allow this; it needs another kind of token.");
    }

    private async Task WriteProblemAsync(string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = { Status = Response.StatusCode, Detail = detail } });
}
