using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BuildsRs.ServiceDefaults.Authentication;

/// <summary>
/// The bearer tokens of BuildsRs's HTTP callers, one authentication scheme for all of them: each kind of token is a
/// role, and each role an authorization policy of the same name that endpoints require.
/// </summary>
public static class BearerTokens
{
    public const string Scheme = "Bearer";

    /// <summary>An operator, with the admin token.</summary>
    public const string Operator = "operator";

    /// <summary>A builder enrolling its key, with its host's enrollment token.</summary>
    public const string Enroller = "enroller";

    /// <summary>A builder uploading the artifact of the job it holds, with that job's upload token.</summary>
    public const string Uploader = "uploader";

    /// <summary>
    /// Registers the scheme and makes <paramref name="role"/> the role of whoever presents the token configured at
    /// <paramref name="configurationKey"/>; the policy <paramref name="role"/> requires it.
    /// </summary>
    public static TBuilder AddConfiguredBearerToken<TBuilder>(this TBuilder builder, string role, string configurationKey)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddBearerTokenRole(role);
        builder.Services.AddSingleton<IBearerTokenValidator>(services =>
            new ConfiguredBearerToken(role, configurationKey, services.GetRequiredService<IConfiguration>()));
        return builder;
    }

    /// <summary>Registers the scheme and the policy of a role that a service's own validator grants.</summary>
    public static TBuilder AddBearerTokenRole<TBuilder>(this TBuilder builder, string role) where TBuilder : IHostApplicationBuilder
    {
        // No default scheme: only endpoints that require a policy read the Authorization header.
        if (!builder.Services.Any(s => s.ServiceType == typeof(BearerTokenHandler)))
        {
            builder.Services.AddProblemDetails();
            builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(Scheme, null);
            builder.Services.AddAuthorization();
        }
        builder.Services.Configure<AuthorizationOptions>(options =>
            options.AddPolicy(role, policy => policy.AddAuthenticationSchemes(Scheme).RequireRole(role)));
        return builder;
    }
}
