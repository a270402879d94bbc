namespace BuildsRs.Api.Targets;

public sealed class TargetOptions
{
    public const string SectionName = "Targets";

    /// <summary>
    /// Targets enabled whenever the Api starts, for a deployment whose builders are known to have their images (the
    /// local system); any other target is enabled or disabled through the admin API.
    /// </summary>
    public string[] Enabled { get; set; } = [];

    /// <summary>
    /// The build images (Docker image IDs) known for each target, set whenever the Api starts: a rebuild that verifies
    /// an artifact runs in one of them and counts only if it did. A target not named keeps what the admin API set.
    /// </summary>
    public Dictionary<string, string[]> Images { get; set; } = [];
}
