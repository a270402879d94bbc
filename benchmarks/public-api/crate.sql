-- The Api's crate page: the crate by name, its versions, their jobs.
\set id random(1, :crates)
SELECT normalized_name AS name FROM crates WHERE id = :id \gset
SELECT id, name FROM crates WHERE normalized_name = :name;
SELECT id, version, yanked, published_at, binary_targets FROM versions WHERE crate_id = :id;
SELECT version_id, kind, target, attempt, state, outcome FROM jobs WHERE version_id IN (SELECT id FROM versions WHERE crate_id = :id);
