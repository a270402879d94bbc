-- The Api's "latest" download: the successful builds of non-yanked versions for the target.
\set n random(1, :built)
SELECT lower(replace(name, '-', '_')) AS name FROM bench_built WHERE n = :n \gset
SELECT a.id, a.storage_key, a.file_name, a.sha256, a.size, j.attempt, v.version
FROM artifacts a JOIN jobs j ON j.id = a.job_id JOIN versions v ON v.id = j.version_id JOIN crates c ON c.id = v.crate_id
WHERE c.normalized_name = :name AND j.target = 'x86_64-unknown-linux-gnu' AND j.state = 'succeeded' AND NOT v.yanked;
