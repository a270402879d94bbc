using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>The Api, by service-discovery name or URL.</summary>
    [Required]
    public Uri ApiUrl { get; set; } = new("http://api");

    /// <summary>Lets this builder enroll its own key on start; without it an operator enrolls the key.</summary>
    public string? EnrollmentToken { get; set; }

    /// <summary>Where builder keys are kept. Each running builder holds one key file of its own (replicas on one
    /// machine take different ones), and keeps it across restarts.</summary>
    [Required]
    public string KeyDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "buildsrs", "builder-keys");

    /// <summary>The sparse index dependencies come from; empty means crates.io itself.</summary>
    public Uri? RegistryIndex { get; set; }

    /// <summary>The targets this builder builds for.</summary>
    public string[] Targets { get; set; } = ["x86_64-unknown-linux-gnu"];

    /// <summary>How many jobs it runs at once.</summary>
    [Range(1, 1)]
    public int Capacity { get; set; } = 1;

    /// <summary>Where jobs unpack crates; each job gets a folder of its own, removed afterwards.</summary>
    [Required]
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "buildsrs-builder");

    /// <summary>The limits of every sandboxed container.</summary>
    [Required, ValidateObjectMembers]
    public SandboxLimits Sandbox { get; set; } = new();
}
