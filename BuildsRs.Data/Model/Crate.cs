namespace BuildsRs.Data.Model;

public class Crate
{
    public long Id { get; set; }

    /// <summary>The name as first published (its case and separators are kept for display).</summary>
    public required string Name { get; set; }

    /// <summary>Computed by the database from <see cref="Name"/>; see <c>CrateName.Normalize</c>.</summary>
    public string NormalizedName { get; private set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }

    public List<CrateVersion> Versions { get; set; } = [];
}
