namespace BuildsRs.Api.Targets;

public sealed class TargetOptions
{
    public const string SectionName = "Targets";

    /// <summary>
    /// Targets enabled whenever the Api starts, for a deployment whose builders are known to have their images (the
    /// local system); any other target is enabled or disabled through the admin API.
    /// </summary>
    public string[] Enabled { get; set; } = [];
}
