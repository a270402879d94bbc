namespace BuildsRs.Data.Model;

/// <summary>A target triple that binaries can be built for; only enabled targets get jobs.</summary>
public class Target
{
    public required string Triple { get; set; }
    public bool Enabled { get; set; }
}
