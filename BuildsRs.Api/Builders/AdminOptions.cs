using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Builders;

public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>The bearer token of the admin API.</summary>
    [Required, MinLength(16)]
    public string Token { get; set; } = "";
}
