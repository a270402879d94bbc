using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Api.Builders;

public sealed class BuilderFleetOptions
{
    public const string SectionName = "Builders";

    /// <summary>Lets a new builder register its own key (so replicas need no hand steps). Empty: only admins enroll.</summary>
    [MinLength(16)]
    public string? EnrollmentToken { get; set; }

    /// <summary>How long a connecting builder has for each step of the handshake.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
