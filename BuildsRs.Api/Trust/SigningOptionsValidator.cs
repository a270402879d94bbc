using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Trust;

/// <summary>A retired key that is not a minisign public key would be listed as "?": refuse it at start-up instead.</summary>
internal sealed class SigningOptionsValidator : IValidateOptions<SigningOptions>
{
    public ValidateOptionsResult Validate(string? name, SigningOptions options)
    {
        var bad = options.RetiredPublicKeys.Select((key, i) => (key, i)).Where(k => MinisignKeys.IdOf(k.key) == "?")
            .Select(k => $"{SigningOptions.SectionName}:{nameof(SigningOptions.RetiredPublicKeys)}:{k.i} is not a minisign public key").ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(bad);
    }
}
