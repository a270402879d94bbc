namespace BuildsRs.Data.Model;

/// <summary>A target triple that binaries can be built for; only enabled targets get jobs.</summary>
public class Target
{
    public required string Triple { get; set; }
    public bool Enabled { get; set; }

    /// <summary>The build images (Docker image IDs) the operator knows for this target: a rebuild that checks an
    /// artifact runs in one of them, and counts only if it did. None: the target's artifacts are not verified.</summary>
    public string[] Images { get; set; } = [];
}
