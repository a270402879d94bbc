namespace BuildsRs.Data.Bulk;

/// <summary>The statements of <see cref="IndexImport"/>. A crate's identity is its normalized name, computed as the
/// crates table computes it.</summary>
internal static class IndexImportSql
{
    /// <summary>Staged with each row (computed in <see cref="IndexImport.Add"/>), so joins compare plain columns.</summary>
    private const string Normalized = "i.normalized_name";

    /// <remarks>Blocks other writers of crates (only imports write them), not readers.</remarks>
    public const string LockCrates = "LOCK TABLE crates IN SHARE ROW EXCLUSIVE MODE";

    public const string HasNoCrates = "SELECT NOT EXISTS (SELECT 1 FROM crates)";

    /// <remarks>More local buffers than the default 8 MB keep a large staging table in memory (it only takes effect
    /// before a session's first temporary table, and is ignored after).</remarks>
    public const string CreateStaging = """
        SET temp_buffers = '256MB';
        CREATE TEMP TABLE import_versions (
            crate_name text NOT NULL,
            normalized_name text NOT NULL,
            version text NOT NULL,
            checksum text NOT NULL,
            yanked boolean NOT NULL,
            rust_version text,
            published_at timestamptz,
            links text,
            features text NOT NULL,
            dependency_count integer NOT NULL
        ) ON COMMIT DROP;
        CREATE TEMP TABLE import_scope (normalized_name text PRIMARY KEY) ON COMMIT DROP;
        CREATE TEMP TABLE import_protected (normalized_name text PRIMARY KEY) ON COMMIT DROP;
        """;

    public const string CopyVersions = """
        COPY import_versions (crate_name, normalized_name, version, checksum, yanked, rust_version, published_at, links, features, dependency_count)
        FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyScope = "COPY import_scope (normalized_name) FROM STDIN (FORMAT BINARY)";

    public const string CopyProtected = "COPY import_protected (normalized_name) FROM STDIN (FORMAT BINARY)";

    /// <remarks>Analyzed, so that the planner joins a small scope to crates through its index instead of reading every
    /// crate of the registry.</remarks>
    public const string FillScopeFromStaging = $"""
        ANALYZE import_versions;
        INSERT INTO import_scope (normalized_name)
        SELECT DISTINCT {Normalized} FROM import_versions i
        ON CONFLICT DO NOTHING;
        ANALYZE import_scope, import_protected;
        """;

    /// <remarks>Plain inserts guarded by anti-joins rather than ON CONFLICT: speculative insertion costs a good part
    /// of a full import, and the staged rows hold at most one crate file per normalized name.</remarks>
    public const string InsertCrates = """
        ANALYZE import_versions;
        WITH added AS (
            INSERT INTO crates (name)
            SELECT min(i.crate_name) FROM import_versions i
            WHERE NOT EXISTS (SELECT 1 FROM crates c WHERE c.normalized_name = i.normalized_name)
            GROUP BY i.normalized_name
            RETURNING 1)
        SELECT count(*) FROM added
        """;

    private const string NotInIndex = $"""
        c.normalized_name NOT IN (SELECT normalized_name FROM import_protected)
        AND NOT EXISTS (
            SELECT 1 FROM import_versions i
            WHERE {Normalized} = c.normalized_name AND i.version = v.version)
        """;

    /// <summary>A first import's crates whose files gave no version (all their lines malformed): it made them from
    /// the files' paths a moment ago, so they hold no history.</summary>
    public const string DeleteCratesWithoutVersions = """
        WITH deleted AS (DELETE FROM crates c WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.crate_id = c.id) RETURNING 1)
        SELECT count(*) FROM deleted
        """;

    private const string InScope = "c.normalized_name IN (SELECT normalized_name FROM import_scope)";

    /// <summary>How many listed versions the import covers, and how many of them the index no longer lists: what the
    /// removal guard weighs before anything changes.</summary>
    public static string CountRemovals(bool wholeIndex) => $"""
        SELECT count(*), count(*) FILTER (WHERE {NotInIndex})
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE v.removed_at IS NULL{(wholeIndex ? "" : $" AND {InScope}")}
        """;

    /// <summary>
    /// Versions the index no longer lists are marked removed, never deleted: their jobs, artifacts, signatures, logs,
    /// verifications and download counts cannot be made again, and an index can lose a file by mistake. Their queued
    /// jobs are cancelled.
    /// </summary>
    public static string RemoveVersions(bool wholeIndex) => $"""
        WITH removed AS (
            UPDATE versions v SET removed_at = now()
            FROM crates c
            WHERE v.crate_id = c.id AND v.removed_at IS NULL AND {NotInIndex}{(wholeIndex ? "" : $" AND {InScope}")}
            RETURNING v.id),
        cancelled AS (
            UPDATE jobs j SET state = {Jobs.JobLifecycleSql.Cancelled}, finished_at = now(), error = 'the version was removed from the registry''s index'
            FROM removed r
            WHERE j.version_id = r.id AND j.state = {Jobs.JobLifecycleSql.Queued}
            RETURNING 1)
        SELECT (SELECT count(*) FROM removed), (SELECT count(*) FROM cancelled)
        """;

    /// <summary>
    /// Versions the index now states differently (a yank, an unyank, a corrected field, a removed version listed again,
    /// which gets its records back), and what that does to their jobs (<see cref="Jobs.JobLifecycleSql.CancelQueuedOfYanked"/>,
    /// <see cref="Jobs.JobLifecycleSql.QueueMetadataForReturned"/>).
    /// </summary>
    public static readonly string UpdateVersions = $"""
        WITH changed AS (
            SELECT v.id, v.yanked AS was_yanked, v.removed_at IS NOT NULL AS was_removed, i.*
            FROM import_versions i
            JOIN crates c ON c.normalized_name = {Normalized}
            JOIN versions v ON v.crate_id = c.id AND v.version = i.version
            WHERE v.removed_at IS NOT NULL
               OR (v.yanked, v.checksum, v.rust_version, v.published_at, v.links, v.dependency_count, v.features)
                  IS DISTINCT FROM (i.yanked, i.checksum, i.rust_version, i.published_at, i.links, i.dependency_count, i.features::jsonb)),
        updated AS (
            UPDATE versions v
            SET yanked = ch.yanked, checksum = ch.checksum, rust_version = ch.rust_version, published_at = ch.published_at,
                links = ch.links, dependency_count = ch.dependency_count, features = ch.features::jsonb, removed_at = NULL
            FROM changed ch
            WHERE v.id = ch.id
            RETURNING v.id, ch.was_yanked, v.yanked, ch.was_removed),
        cancelled AS ({Jobs.JobLifecycleSql.CancelQueuedOfYanked("updated")}),
        queued AS ({Jobs.JobLifecycleSql.QueueMetadataForReturned("updated")})
        SELECT count(*),
               count(*) FILTER (WHERE yanked AND NOT was_yanked),
               count(*) FILTER (WHERE was_yanked AND NOT yanked),
               (SELECT count(*) FROM queued),
               (SELECT count(*) FROM cancelled),
               count(*) FILTER (WHERE was_removed)
        FROM updated
        """;

    /// <summary>New versions, and their jobs (<see cref="Jobs.JobLifecycleSql.QueueMetadataForNew"/>).</summary>
    /// <remarks>Versions go in newest publication first, the order their jobs' ids are drawn in, and among equal times (a
    /// registry that gives none) the later line of a crate's file first: within one import, a lower id is the newer
    /// version. So on a full import every index of the jobs grows at its end, as under a plain COPY.</remarks>
    public static string InsertVersionsAndJobs(bool backfill) => $"""
        WITH added AS (
            INSERT INTO versions (crate_id, version, checksum, yanked, rust_version, published_at, links, features, dependency_count)
            SELECT c.id, i.version, i.checksum, i.yanked, i.rust_version, i.published_at, i.links, i.features::jsonb, i.dependency_count
            FROM import_versions i
            JOIN crates c ON c.normalized_name = {Normalized}
            WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.crate_id = c.id AND v.version = i.version)
            ORDER BY i.published_at DESC NULLS LAST, i.ctid DESC
            RETURNING id, yanked, crate_id, published_at),
        queued AS ({Jobs.JobLifecycleSql.QueueMetadataForNew("added", backfill)})
        SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM queued)
        """;

    public const string CopyCrates = "COPY crates (name) FROM STDIN (FORMAT BINARY)";

    public const string ReadCrates = "SELECT id, normalized_name, name FROM crates";

    /// <summary>A first import's crates whose lines spell their name otherwise than their file's path does
    /// (<see cref="FirstImport"/>), named as <see cref="InsertCrates"/> names them.</summary>
    public const string RenameCrates = """
        UPDATE crates c SET name = r.name
        FROM (SELECT s.normalized, min(s.name) AS name FROM unnest(@normalized, @names) AS s(normalized, name) GROUP BY s.normalized) r
        WHERE c.normalized_name = r.normalized AND c.name <> r.name
        """;

    /// <summary>A first import's versions, with the ids it takes from <see cref="NextVersionId"/>.</summary>
    public const string CopyNewVersions = """
        COPY versions (id, crate_id, version, checksum, yanked, rust_version, published_at, links, features, dependency_count)
        FROM STDIN (FORMAT BINARY)
        """;

    /// <remarks>Nothing else inserts versions while an import holds <see cref="LockCrates"/>: a version needs its crate.</remarks>
    public const string NextVersionId = "SELECT nextval('versions_id_seq'::regclass)";

    public const string SetLastVersionId = "SELECT setval('versions_id_seq'::regclass, @last)";

    /// <summary>A first import's backlog: every version is new, and the one ranking of a backfill queues its jobs.</summary>
    public static readonly string QueueBacklogOfFirstImport = $"""
        WITH queued AS ({Jobs.JobLifecycleSql.QueueMetadataForNew("versions", backfill: true)})
        SELECT count(*) FROM queued
        """;

    /// <summary>A first import rebuilds the indexes of both tables (<see cref="DeferredIndexes"/>): it locks them up front,
    /// in the order a builder's claim reads them, so that neither waits for a table the other holds.</summary>
    public const string LockJobsAndVersions = "LOCK TABLE jobs, versions IN ACCESS EXCLUSIVE MODE";

    /// <summary>For <see cref="DeferredIndexes"/>: how to drop and to build again each index of @table that neither
    /// keeps rows unique nor backs a constraint, then each of its foreign keys to @referenced (built last: they check
    /// the rows through indexes).</summary>
    public const string DeferrableIndexes = """
        SELECT drop_statement, create_statement FROM (
            SELECT 1 AS step, format('DROP INDEX %s', i.indexrelid::regclass) AS drop_statement, pg_get_indexdef(i.indexrelid) AS create_statement
            FROM pg_index i
            WHERE i.indrelid = @table::regclass AND NOT i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            UNION ALL
            SELECT 2, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
            FROM pg_constraint c
            WHERE c.conrelid = @table::regclass AND c.contype = 'f' AND c.confrelid = @referenced::regclass) d
        ORDER BY step
        """;

    /// <summary>Building an index of a whole registry sorts millions of keys: in memory rather than in temporary files.</summary>
    public const string IndexBuildMemory = "SET LOCAL maintenance_work_mem = '256MB'";

    /// <summary>Statistics of the tables a whole index may have filled, so that the next pass and the queue's claims are
    /// planned for their size at once, not after autovacuum comes round.</summary>
    public const string AnalyzeImported = "ANALYZE crates, versions, jobs";

    public const string SaveCursor = """
        INSERT INTO registry_sync_state (registry, cursor, last_synced_at) VALUES (@registry, @cursor, now())
        ON CONFLICT (registry) DO UPDATE SET cursor = excluded.cursor, last_synced_at = excluded.last_synced_at
        """;
}
