namespace BuildsRs.Data.Model;

/// <summary>The single row that says whether builders may take jobs (an operator locks the queue for maintenance).</summary>
public class QueueLock
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public bool Locked { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }
}
