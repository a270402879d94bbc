using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Declares the bearer tokens in the OpenAPI document: a security scheme per kind of token, and on each operation the
/// one its authorization policy needs.
/// </summary>
internal sealed class OpenApiSecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        [BearerTokens.Operator] = "The admin token (Admin:Token) of the operators.",
        [BearerTokens.Enroller] = "A builder host's enrollment token (Builders:Hosts:<name>, or one the admin API made) with which its builders register their keys.",
        [BearerTokens.Uploader] = "The upload token that job-assigned hands to the builder holding the job; valid while the job runs.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var (role, description) in Descriptions)
        {
            document.Components.SecuritySchemes[role] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = description };
        }
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
            .Select(data => data.Policy).Where(policy => policy is not null && Descriptions.ContainsKey(policy)).Distinct();
        foreach (var policy in policies)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(policy!, context.Document)] = [] });
        }
        return Task.CompletedTask;
    }
}
