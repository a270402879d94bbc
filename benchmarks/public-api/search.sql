-- The Api's search: a page of 20 names by prefix with the capped count; from 4 characters on, similar names too.
-- Then the versions of the page's crates.
\set id random(1, :crates)
\set n random(2, 5)
SELECT left(normalized_name, :n) AS q, replace(left(normalized_name, :n), '_', '\_') || '%' AS prefix, length(left(normalized_name, :n)) AS len
FROM crates WHERE id = :id \gset
SELECT id, name FROM crates WHERE normalized_name LIKE :prefix
ORDER BY normalized_name <> :q, length(normalized_name), normalized_name LIMIT 20;
SELECT count(*) FROM (SELECT FROM crates WHERE normalized_name LIKE :prefix LIMIT 1000) AS matches;
\if :len >= 4
SELECT id, name FROM crates WHERE normalized_name % :q AND normalized_name NOT LIKE :prefix
ORDER BY similarity(normalized_name, :q) DESC, length(normalized_name), normalized_name LIMIT 20;
SELECT count(*) FROM (SELECT FROM crates WHERE normalized_name % :q AND normalized_name NOT LIKE :prefix LIMIT 1000) AS matches;
\endif
SELECT id, crate_id, version, yanked, binary_targets FROM versions
WHERE crate_id IN (SELECT id FROM crates WHERE normalized_name LIKE :prefix ORDER BY normalized_name <> :q, length(normalized_name), normalized_name LIMIT 20);
