namespace BuildsRs.Api.Jobs;

internal static class JobLogSql
{
    /// <summary>
    /// Appends a chunk to a job's log if the builder holds the job, keeping the log under @cap characters: the chunk
    /// that crosses the cap is cut and followed by a marker, and nothing is stored after it.
    /// </summary>
    public const string Append = """
        WITH job AS (
            SELECT id FROM jobs WHERE id = @job AND state = 'running' AND builder_id = @builder),
        used AS (
            SELECT coalesce(sum(length(text)), 0) AS size, coalesce(max(sequence), 0) AS last
            FROM job_logs WHERE job_id = @job)
        INSERT INTO job_logs (job_id, sequence, stage, text)
        SELECT job.id, used.last + 1, @stage,
               CASE WHEN used.size + length(@chunk) <= @cap THEN @chunk
                    ELSE left(@chunk, greatest(@cap - used.size, 0)::int) || @marker END
        FROM job, used
        WHERE used.size < @cap
        """;
}
