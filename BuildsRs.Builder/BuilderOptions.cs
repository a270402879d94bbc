using System.ComponentModel.DataAnnotations;

namespace BuildsRs.Builder;

public sealed class BuilderOptions
{
    public const string SectionName = "Builder";

    /// <summary>The image builds run in (Rust and C toolchains, an unprivileged user).</summary>
    [Required]
    public string Image { get; set; } = "";

    /// <summary>The Docker engine's API endpoint.</summary>
    [Required]
    public Uri DockerEndpoint { get; set; } = new("unix:///var/run/docker.sock");
}
