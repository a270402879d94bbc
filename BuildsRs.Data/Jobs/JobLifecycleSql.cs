using BuildsRs.Contracts.Jobs;
using static BuildsRs.Contracts.EnumText;

namespace BuildsRs.Data.Jobs;

/// <summary>
/// The statements of <see cref="JobLifecycle"/> that several of its methods or the registry import share; a statement
/// that one method runs (the claim, the metadata fan-out, the held job's lock) sits beside that method. Every change of
/// a job's state is one statement, each atomic. States,
/// kinds and outcomes are spelled from the one vocabulary (<see cref="JobState"/>, <see cref="JobKind"/>,
/// <see cref="JobOutcome"/>); times come from the database's clock.
/// </summary>
internal static class JobLifecycleSql
{
    internal static readonly string Queued = Sql(JobState.Queued);
    internal static readonly string Running = Sql(JobState.Running);
    private static readonly string Failed = Sql(JobState.Failed);
    internal static readonly string Cancelled = Sql(JobState.Cancelled);
    internal static readonly string Metadata = Sql(JobKind.Metadata);
    internal static readonly string Binary = Sql(JobKind.Binary);

    /// <summary>Live jobs: at most one per (version, kind, target), which the unique index <c>ix_jobs_one_live_per_work</c> keeps.</summary>
    public static readonly string Live = $"state IN ({Queued}, {Running})";

    /// <summary>Whether @builder may act at all: an operator can disable it or its host at any moment, and from then on
    /// nothing it sends counts.</summary>
    public const string BuilderEnabled =
        "EXISTS (SELECT FROM builders b JOIN builder_hosts bh ON bh.id = b.host_id WHERE b.id = @builder AND b.enabled AND bh.enabled)";

    /// <summary>Whether a builder holds a job: only the holder's logs, uploads and results count, while it is enabled.</summary>
    public static readonly string Held = $"state = {Running} AND builder_id = @builder AND {BuilderEnabled}";

    /// <summary>Jobs whose builder went silent: back to the queue, or failed once they were handed out too often.</summary>
    public static readonly string RequeueExpired = $"""
        UPDATE jobs SET
            state = CASE WHEN claims >= @max_claims THEN {Failed} ELSE {Queued} END,
            outcome = CASE WHEN claims >= @max_claims THEN {Sql(JobOutcome.InfrastructureError)} END,
            error = CASE WHEN claims >= @max_claims THEN 'the builder stopped answering, ' || claims || ' times' END,
            finished_at = CASE WHEN claims >= @max_claims THEN now() END,
            builder_id = NULL, lease_expires_at = NULL
        WHERE state = {Running} AND lease_expires_at < now()
        RETURNING kind, target, state
        """;

    /// <summary>
    /// A rebuild starts again from the metadata job (the author's settings may have been read wrongly or the
    /// targets changed since); its binary jobs inherit the priority. Versions with a live metadata job are skipped.
    /// A whole crate's rebuild leaves its yanked versions alone, and no rebuild builds a version the registry's index
    /// no longer lists.
    /// </summary>
    public static readonly string QueueRebuild = $"""
        INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims, trace_parent)
        SELECT v.id, {Metadata}, NULL, {Queued}, @priority,
               COALESCE((SELECT max(attempt) + 1 FROM jobs WHERE version_id = v.id AND kind = {Metadata}), 0), 0, @trace_parent
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE c.normalized_name = @crate AND (v.version = @version OR (@version = '' AND NOT v.yanked)) AND v.removed_at IS NULL
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Every queued job of a crate (running ones finish).</summary>
    public static readonly string CancelQueuedOfCrate = $"""
        UPDATE jobs j SET state = {Cancelled}, finished_at = now(), error = @reason
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE j.version_id = v.id AND c.normalized_name = @crate AND j.state = {Queued}
        """;

    /// <summary>What a binary or verify build was made with (see <c>BuildRecord</c>); the lockfile is stored once.</summary>
    public const string RecordBuild = """
        WITH lockfile AS (
            INSERT INTO lockfiles (sha256, content) VALUES (@lockfile_sha256, @lockfile) ON CONFLICT DO NOTHING)
        UPDATE jobs SET builder_image = @image, toolchain = @toolchain, lockfile_sha256 = @lockfile_sha256 WHERE id = @job
        """;

    /// <summary>A successful binary build is built again by another builder, at the lowest priority (the artifact's
    /// version and target; the verify job continues the build's trace), where the Api knows an image of the target to
    /// build it in.</summary>
    public static readonly string QueueVerify = $"""
        INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims, trace_parent, artifact_id)
        SELECT j.version_id, {Sql(JobKind.Verify)}, j.target, {Queued}, @priority,
               COALESCE((SELECT max(attempt) + 1 FROM jobs v WHERE v.version_id = j.version_id AND v.kind = {Sql(JobKind.Verify)} AND v.target = j.target), 0),
               0, @trace_parent, a.id
        FROM artifacts a JOIN jobs j ON j.id = a.job_id JOIN targets t ON t.triple = j.target
        WHERE a.job_id = @job AND cardinality(t.images) > 0
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// An operator asks for a version's artifacts to be built again by another builder: the newest artifact of each
    /// target gets a verify job at @priority, or its queued one is moved to @priority.
    /// </summary>
    public static readonly string QueueVerifyOfVersion = $"""
        WITH newest AS (
            SELECT DISTINCT ON (j.target) a.id AS artifact_id, j.version_id, j.target
            FROM artifacts a JOIN jobs j ON j.id = a.job_id JOIN versions v ON v.id = j.version_id JOIN crates c ON c.id = v.crate_id
                 JOIN targets t ON t.triple = j.target
            WHERE c.normalized_name = @crate AND v.version = @version AND j.state = {Sql(JobState.Succeeded)} AND cardinality(t.images) > 0
            ORDER BY j.target, j.attempt DESC),
        raised AS (
            UPDATE jobs q SET priority = @priority FROM newest n
            WHERE q.artifact_id = n.artifact_id AND q.state = {Queued}
            RETURNING q.artifact_id),
        queued AS (
            INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims, trace_parent, artifact_id)
            SELECT n.version_id, {Sql(JobKind.Verify)}, n.target, {Queued}, @priority,
                   COALESCE((SELECT max(attempt) + 1 FROM jobs v WHERE v.version_id = n.version_id AND v.kind = {Sql(JobKind.Verify)} AND v.target = n.target), 0),
                   0, @trace_parent, n.artifact_id
            FROM newest n WHERE n.artifact_id NOT IN (SELECT artifact_id FROM raised)
            ON CONFLICT DO NOTHING
            RETURNING 1)
        SELECT (SELECT count(*) FROM raised) + (SELECT count(*) FROM queued) AS "Value"
        """;

    /// <summary>An artifact counts only while its job runs on an enabled builder of an enabled host: one that ended
    /// meanwhile (a result, a cancel, a lease that ran out) or whose builder or host was disabled gets nothing recorded.</summary>
    public static readonly string RecordArtifact = $"""
        INSERT INTO artifacts (job_id, file_name, storage_key, size, sha256, signature)
        SELECT j.id, @file, @key, @size, @sha256, @signature
        FROM jobs j JOIN builders b ON b.id = j.builder_id AND b.enabled JOIN builder_hosts bh ON bh.id = b.host_id AND bh.enabled
        WHERE j.id = @job AND j.state = {Running} AND j.kind = {Binary}
        RETURNING id
        """;

    /// <summary>A builder an operator disabled holds nothing any more: its running jobs go back to the queue for
    /// another, and whatever it uploaded for them goes with its say.</summary>
    public static readonly string ReleaseJobsOfDisabled = $"""
        WITH released AS (
            UPDATE jobs SET state = {Queued}, builder_id = NULL, lease_expires_at = NULL, upload_token_hash = NULL
            WHERE state = {Running} AND builder_id = @builder AND NOT {BuilderEnabled}
            RETURNING id),
        dropped AS (
            DELETE FROM artifacts WHERE job_id IN (SELECT id FROM released))
        SELECT count(*) AS "Value" FROM released
        """;

    /// <summary>
    /// A chunk of a job's log, if the builder holds the job, keeping the log under @cap characters: the chunk that
    /// crosses the cap is cut and followed by a marker, and nothing is stored after it. The running size is the job's
    /// (<c>log_size</c>), so an append costs the same however long the log already is. Answers a <see cref="LogAppend"/>.
    /// </summary>
    public static readonly string AppendLog = $"""
        WITH job AS (
            SELECT id, log_size FROM jobs WHERE id = @job AND {Held} FOR UPDATE),
        grown AS (
            UPDATE jobs SET log_size = least(job.log_size + length(@chunk), @cap)
            FROM job WHERE jobs.id = job.id AND job.log_size < @cap
            RETURNING job.log_size AS before),
        added AS (
            INSERT INTO job_logs (job_id, sequence, stage, text)
            SELECT @job, coalesce((SELECT max(sequence) FROM job_logs WHERE job_id = @job), 0) + 1, @stage,
                   CASE WHEN before + length(@chunk) < @cap THEN @chunk
                        ELSE left(@chunk, (@cap - before)::int) || @marker END
            FROM grown
            RETURNING 1)
        SELECT CASE WHEN NOT EXISTS (SELECT FROM job) THEN {(int)LogAppend.NotHeld}
                    WHEN (SELECT before FROM grown) + length(@chunk) < @cap THEN {(int)LogAppend.Stored}
                    ELSE {(int)LogAppend.Full} END AS "Value"
        """;

    // What a registry import does to jobs, as common table expressions that IndexImport composes into its own
    // set-based statements (a full import touches millions of rows; one pass over them, not one per rule).

    /// <summary>
    /// A new version that is not yanked gets its metadata job, prioritised as <see cref="NewVersionJobs"/> says
    /// (<paramref name="added"/>: <c>id, yanked, crate_id, published_at</c> of versions the same import inserted, which
    /// cannot have a job yet). Among equal priorities the claim takes the lowest id, so ids are drawn newest publication
    /// first; the rows go in in their versions' order, so that each job's foreign-key check and its version-led indexes
    /// move forward through tables far larger than the buffer cache, in whatever order the versions went in.
    /// </summary>
    /// <remarks>Two statements, not one with both rankings: Postgres computes every window of a query, so a backfill
    /// would also sort a whole registry by family name for nothing. <c>nextval</c> in a sorted query's output is
    /// computed after the sort, in its order.</remarks>
    public static string QueueMetadataForNew(string added, bool backfill) => $"""
        INSERT INTO jobs (id, version_id, kind, state, priority, attempt, claims, trace_parent)
        SELECT job_id, version_id, {Metadata}, {Queued}, priority, 0, 0, @trace_parent
        FROM (
            SELECT nextval('jobs_id_seq'::regclass) AS job_id, id AS version_id, priority
            FROM ({(backfill ? BackfillRanking(added) : PublicationRanking(added))}) ranked
            ORDER BY published_at DESC NULLS LAST, id) numbered
        ORDER BY version_id
        RETURNING 1
        """;

    /// <summary>A backfill: each crate's newest version that is not yanked at @priority, its older ones (when
    /// @queue_older) at @older_priority. The one place a backlog's order is written: a staged import and a registry's
    /// first import both queue through it.</summary>
    private static string BackfillRanking(string added) => $"""
        SELECT id, published_at, CASE WHEN newest THEN @priority ELSE @older_priority END AS priority FROM (
            SELECT a.id, a.published_at,
                   row_number() OVER (PARTITION BY a.crate_id ORDER BY a.published_at DESC NULLS LAST, a.id) = 1 AS newest
            FROM {added} a
            WHERE NOT a.yanked) newest_first
        WHERE @queue_older OR newest
        """;

    private static string PublicationRanking(string added) => $"""
        SELECT a.id, a.published_at,
               @priority - LEAST((row_number() OVER (PARTITION BY split_part(c.normalized_name, '_', 1)
                                                     ORDER BY a.published_at DESC NULLS LAST, a.id) - 1) / @family_burst,
                                 {NewVersionJobs.MaxFamilyDrop}) AS priority
        FROM {added} a JOIN crates c ON c.id = a.crate_id
        WHERE NOT a.yanked
        """;

    /// <summary>A yank cancels the version's queued jobs (a running one finishes: its result is still true of the
    /// files). <paramref name="updated"/>: <c>id, was_yanked, yanked</c>.</summary>
    public static string CancelQueuedOfYanked(string updated) => $"""
        UPDATE jobs j SET state = {Cancelled}, finished_at = now(), error = 'the version was yanked'
        FROM {updated} u
        WHERE j.version_id = u.id AND u.yanked AND NOT u.was_yanked AND j.state = {Queued}
        RETURNING 1
        """;

    /// <summary>A version back in the running (unyanked, or listed again after its removal) that has no job left but
    /// cancelled ones (it was yanked when first imported, or yanked or removed before it was built) gets its metadata
    /// job, once.</summary>
    public static string QueueMetadataForReturned(string updated) => $"""
        INSERT INTO jobs (version_id, kind, state, priority, attempt, claims, trace_parent)
        SELECT u.id, {Metadata}, {Queued}, @priority,
               COALESCE((SELECT max(attempt) + 1 FROM jobs j WHERE j.version_id = u.id AND j.kind = {Metadata}), 0), 0, @trace_parent
        FROM {updated} u
        WHERE (u.was_yanked OR u.was_removed) AND NOT u.yanked
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.version_id = u.id AND j.state <> {Cancelled})
        RETURNING 1
        """;
}
