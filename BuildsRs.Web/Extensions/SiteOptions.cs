using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Web.Extensions;

public sealed class SiteOptions
{
    public const string SectionName = "Site";

    /// <summary>
    /// Where browsers and command lines reach the Api (downloads, the install script, badges, logs): its public
    /// address, which is not the one the website uses inside the deployment.
    /// </summary>
    [Required]
    public Uri ApiUrl { get; set; } = null!;

    /// <summary>The Atom feed, badge and commands name downloads under this address, without a trailing slash.</summary>
    public string ApiBase => ApiUrl.ToString().TrimEnd('/');
}
