using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Trust;

/// <summary>The key the Api signs artifacts and provenance with (configuration section <c>Signing</c>).</summary>
public sealed class SigningOptions
{
    public const string SectionName = "Signing";

    /// <summary>
    /// A secret of at least 32 random characters from which the Ed25519 key is derived (its SHA-256 is the seed), so that
    /// any secret store or generated parameter can hold it. Builders never see it.
    /// </summary>
    [Required]
    [MinLength(32)]
    public string SecretKey { get; set; } = "";

    /// <summary>Public keys (minisign's base64 form, as <c>/signing-key.pub</c> gave them) of keys used before: listed as
    /// retired, so that older signatures can still be checked.</summary>
    public string[] RetiredPublicKeys { get; set; } = [];
}
