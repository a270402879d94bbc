namespace BuildsRs.Data.Model;

/// <summary>How long the queue was at a moment; the Api records one per interval for the statistics.</summary>
public class QueueSample
{
    public DateTimeOffset At { get; set; }
    public long Queued { get; set; }
    public long Running { get; set; }
}
