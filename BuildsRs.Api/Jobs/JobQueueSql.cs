namespace BuildsRs.Api.Jobs;

/// <summary>The queue's statements. Postgres is the queue: every state change is one atomic statement.</summary>
internal static class JobQueueSql
{
    /// <summary>The highest-priority, oldest queued job of the builder's targets, taken by exactly one builder; none
    /// while an operator has locked the queue.</summary>
    public const string Claim = """
        UPDATE jobs SET state = 'running', builder_id = @builder, lease_expires_at = now() + @lease,
                        started_at = now(), claims = claims + 1, upload_token_hash = @token_hash
        WHERE id = (
            SELECT id FROM jobs
            WHERE state = 'queued' AND kind = ANY(@kinds) AND (target IS NULL OR target = ANY(@targets))
              AND NOT EXISTS (SELECT FROM queue_lock WHERE locked)
            ORDER BY priority DESC, created_at, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING id
        """;

    public const string ExtendLeases = """
        UPDATE jobs SET lease_expires_at = now() + @lease WHERE state = 'running' AND builder_id = @builder AND id = ANY(@jobs)
        RETURNING id
        """;

    /// <summary>Jobs whose builder went silent: back to the queue, or failed once they were handed out too often.</summary>
    public const string RequeueExpired = """
        UPDATE jobs SET
            state = CASE WHEN claims >= @max_claims THEN 'failed' ELSE 'queued' END,
            outcome = CASE WHEN claims >= @max_claims THEN 'infrastructure_error' END,
            error = CASE WHEN claims >= @max_claims THEN 'the builder stopped answering, ' || claims || ' times' END,
            finished_at = CASE WHEN claims >= @max_claims THEN now() END,
            builder_id = NULL, lease_expires_at = NULL
        WHERE state = 'running' AND lease_expires_at < now()
        """;

    /// <summary>
    /// One binary job per target for a version whose metadata named binaries. After a rebuild the version already
    /// has finished jobs, so each new one takes the next attempt number; a target with a live job is left alone.
    /// </summary>
    public const string QueueBinaryJobs = """
        INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims)
        SELECT @version, 'binary', t, 'queued', @priority,
               COALESCE((SELECT max(attempt) + 1 FROM jobs WHERE version_id = @version AND kind = 'binary' AND target = t), 0), 0
        FROM unnest(@targets) AS t
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// A rebuild starts again from the metadata job (the author's settings may have been read wrongly or the
    /// targets changed since); its binary jobs inherit the priority. Versions with a live metadata job are skipped.
    /// A whole crate's rebuild leaves its yanked versions alone.
    /// </summary>
    public const string QueueRebuild = """
        INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims)
        SELECT v.id, 'metadata', NULL, 'queued', @priority,
               COALESCE((SELECT max(attempt) + 1 FROM jobs WHERE version_id = v.id AND kind = 'metadata'), 0), 0
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE c.normalized_name = @crate AND (v.version = @version OR (@version = '' AND NOT v.yanked))
        ON CONFLICT DO NOTHING
        """;

    /// <summary>An operator ends a job that has not ended yet. A running one's builder learns it on its next heartbeat
    /// or log chunk and stops; whatever it still sends is refused.</summary>
    public const string CancelJob = """
        UPDATE jobs SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL, error = @reason
        WHERE id = @job AND state IN ('queued', 'running')
        """;

    /// <summary>Every queued job of a crate (running ones finish).</summary>
    public const string CancelQueuedOfCrate = """
        UPDATE jobs j SET state = 'cancelled', finished_at = now(), error = @reason
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE j.version_id = v.id AND c.normalized_name = @crate AND j.state = 'queued'
        """;
}
