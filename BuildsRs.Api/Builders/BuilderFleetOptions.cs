using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Builders;

public sealed class BuilderFleetOptions
{
    public const string SectionName = "Builders";

    /// <summary>
    /// Builder hosts given in configuration, by name: <c>Builders:Hosts:&lt;name&gt;</c> is the enrollment token of that
    /// host (at least 16 characters). Hosts can also be added with the admin API, which hands out their token.
    /// </summary>
    public Dictionary<string, string> Hosts { get; set; } = [];

    /// <summary>How long a connecting builder has for each step of the handshake.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
