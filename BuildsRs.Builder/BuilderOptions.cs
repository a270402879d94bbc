using System.ComponentModel.DataAnnotations;
using BuildsRs.Contracts;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder;

public sealed class BuilderOptions : IValidatableObject
{
    public const string SectionName = "Builder";

    /// <summary>
    /// The image each target builds in, by target triple (a Rust toolchain with that target's standard library, its C
    /// cross toolchain, an unprivileged user). The builder offers the targets whose images its engine has.
    /// </summary>
    [Required]
    public Dictionary<string, string> Images { get; set; } = [];

    /// <summary>The Docker engine's API endpoint.</summary>
    [Required]
    public Uri DockerEndpoint { get; set; } = new("unix:///var/run/docker.sock");

    /// <summary>The Api, by service-discovery name or URL.</summary>
    [Required]
    public Uri ApiUrl { get; set; } = new("http://api");

    /// <summary>The enrollment token of the builder host this builder runs on: it enrolls its own key on start, as a key
    /// of that host. Without it an operator enrolls the key.</summary>
    public string? EnrollmentToken { get; set; }

    /// <summary>What this builder's name starts with (then its key's slot): the machine's name unless given, e.g. to
    /// tell apart builders of several hosts on one machine.</summary>
    [MaxLength(90)]
    public string? Name { get; set; }

    /// <summary>Where builder keys are kept. Each running builder holds one key file of its own (replicas on one
    /// machine take different ones), and keeps it across restarts.</summary>
    [Required]
    public string KeyDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "buildsrs", "builder-keys");

    /// <summary>The sparse index dependencies come from; empty means crates.io itself.</summary>
    public Uri? RegistryIndex { get; set; }

    /// <summary>More addresses the fetch phase may reach beside the registry's index and its download host (which its
    /// <c>config.json</c> names): the hosts its downloads redirect to, as URLs (<c>https://objects.example.org/</c>).</summary>
    public List<Uri> RegistryHosts { get; set; } = [];

    /// <summary>Where the fetch's proxy connects for a registry host that this builder reaches at another address, as
    /// <c>host:port=host:port</c> (curl's <c>--connect-to</c>): a builder in a container reaches the registry that
    /// cargo's URLs name <c>127.0.0.1:5090</c> at <c>registry:8080</c>.</summary>
    public List<string> RegistryConnectTo { get; set; } = [];

    /// <summary>How many builds (binary and verify jobs, each in the sandbox) it runs at once.</summary>
    [Range(1, 1)]
    public int Capacity { get; set; } = 1;

    /// <summary>How many metadata jobs it classifies at once beside its builds: they are read in memory, a few
    /// milliseconds each, so several keep the round trips to the Api from setting the pace.</summary>
    [Range(1, 32)]
    public int MetadataSlots { get; set; } = 8;

    /// <summary>Where jobs unpack crates; each job gets a folder of its own, removed afterwards.</summary>
    [Required]
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "buildsrs-builder");

    /// <summary>The limits of every sandboxed container.</summary>
    [Required, ValidateObjectMembers]
    public SandboxLimits Sandbox { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Images.Count == 0)
        {
            yield return new ValidationResult("no build image: set Builder:Images:<target> to the image each target builds in", [nameof(Images)]);
        }
        foreach (var mapping in RegistryConnectTo.Where(m => !string.IsNullOrWhiteSpace(m) && Jobs.RegistryHosts.ParseConnectTo(m) is null))
        {
            yield return new ValidationResult($"Builder:RegistryConnectTo '{mapping}' must be host:port=host:port", [nameof(RegistryConnectTo)]);
        }
        foreach (var (target, image) in Images)
        {
            if (!TargetTriple.IsValid(target) || string.IsNullOrWhiteSpace(image))
            {
                yield return new ValidationResult($"Builder:Images:{target} must name a target triple and an image", [nameof(Images)]);
            }
        }
    }
}
