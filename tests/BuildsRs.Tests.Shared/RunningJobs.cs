using Npgsql;

namespace BuildsRs.Tests.Fixtures;

/// <summary>A binary job that a builder holds, written straight into a migrated database, and what it logs.</summary>
public static class RunningJobs
{
    public static async Task<long> InsertAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            WITH host AS (INSERT INTO builder_hosts (name, token_sha256, enabled) VALUES ('host-' || gen_random_uuid(), '\x01', true) RETURNING id),
            builder AS (INSERT INTO builders (name, public_key, fingerprint, enabled, host_id, allowed_targets)
                        SELECT 'builder-' || gen_random_uuid(), '\x01', md5(random()::text) || md5(random()::text), true, id, ARRAY['x86_64-unknown-linux-gnu'] FROM host RETURNING id),
            crate AS (INSERT INTO crates (name) VALUES ('live-' || substr(md5(random()::text), 1, 12)) RETURNING id),
            version AS (INSERT INTO versions (crate_id, version, checksum, yanked, features, dependency_count, binary_targets)
                        SELECT id, '1.0.0', repeat('c', 64), false, '{}', 0, ARRAY['live'] FROM crate RETURNING id)
            INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims, builder_id, lease_expires_at, started_at)
            SELECT version.id, 'binary', 'x86_64-unknown-linux-gnu', 'running', 0, 1, 1, builder.id, now() + interval '1 hour', now()
            FROM version, builder RETURNING id
            """, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Stores a chunk as the Api does for the job's builder (any Api instance may have stored it).</summary>
    public static async Task LogAsync(string connectionString, long jobId, string text)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO job_logs (job_id, sequence, stage, text)
            SELECT $1, coalesce(max(sequence), 0) + 1, 'build', $2 FROM job_logs WHERE job_id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = jobId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = text });
        await command.ExecuteNonQueryAsync();
    }

    public static async Task EndAsync(string connectionString, long jobId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "UPDATE jobs SET state = 'failed', outcome = 'build_failed', finished_at = now(), lease_expires_at = NULL WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = jobId });
        await command.ExecuteNonQueryAsync();
    }
}
