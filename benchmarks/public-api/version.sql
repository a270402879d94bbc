-- The Api's version page: the version, its jobs with their builders, its artifacts with download counts.
\set n random(1, :built)
SELECT lower(replace(name, '-', '_')) AS name, version FROM bench_built WHERE n = :n \gset
SELECT v.id, c.name, v.version, v.checksum, v.yanked, v.published_at, v.binary_targets
FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.normalized_name = :name AND v.version = :version;
SELECT j.id, j.kind, j.target, j.attempt, j.state, j.outcome, j.started_at, j.finished_at, b.name
FROM jobs j LEFT JOIN builders b ON b.id = j.builder_id
WHERE j.version_id = (SELECT v.id FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.normalized_name = :name AND v.version = :version);
SELECT a.job_id, a.file_name, a.size, a.sha256, a.created_at, (SELECT sum(count) FROM daily_downloads d WHERE d.artifact_id = a.id)
FROM artifacts a JOIN jobs j ON j.id = a.job_id
WHERE j.version_id = (SELECT v.id FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.normalized_name = :name AND v.version = :version);
