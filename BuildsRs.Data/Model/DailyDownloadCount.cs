namespace BuildsRs.Data.Model;

public class DailyDownloadCount
{
    public long ArtifactId { get; set; }
    public DateOnly Day { get; set; }
    public long Count { get; set; }
}
