namespace BuildsRs.Data.Model;

/// <summary>A piece of a job's log as the builder streamed it, in order of <see cref="Sequence"/>.</summary>
public class JobLogChunk
{
    public long JobId { get; set; }
    public int Sequence { get; set; }
    public required string Stage { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
