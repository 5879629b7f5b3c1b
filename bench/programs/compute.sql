-- CPU-bound SQLite for the compute benchmarks (bench/run_compute_bench.py), run by the
-- sqlite3 shell on an in-memory database (no file I/O is measured):
--   sqlite3 -batch -bail :memory: ".read compute.sql"
-- 200,000 rows inserted in one transaction (one INSERT per row from a recursive CTE, each
-- with a computed key and text), an index built over them, then grouped and indexed queries.
-- Deterministic (no random(), no dates): every runtime prints the same lines.

PRAGMA temp_store = MEMORY;  -- sorts never spill to files (the wasm build has no /tmp)

CREATE TABLE items(id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL,
                   price INTEGER NOT NULL);

BEGIN;
WITH RECURSIVE n(i, r) AS (
  SELECT 1, 12345
  UNION ALL
  -- a 32-bit linear congruential generator, as compute.lua's
  SELECT i + 1, (r * 1664525 + 1013904223) % 4294967296 FROM n WHERE i < 200000
)
INSERT INTO items(grp, name, price)
  SELECT r % 1000, printf('item-%06d-%s', i, substr('abcdefghijklmnopqrstuvwxyz', r % 26 + 1, 3)),
         (r / 1000) % 100000
  FROM n;
COMMIT;

CREATE INDEX items_grp_price ON items(grp, price);

-- Group by a derived key: a sort or hash of 200k rows.
SELECT 'groups', count(*), sum(cnt), sum(total) % 1000000007, max(longest)
FROM (SELECT grp % 97 AS g, count(*) AS cnt, sum(price) AS total, max(length(name)) AS longest
      FROM items GROUP BY g);

-- Range lookups through the index.
SELECT 'range', count(*), sum(price) FROM items WHERE grp BETWEEN 100 AND 199 AND price < 50000;

-- Top groups by total, with string aggregation.
SELECT 'top', grp, count(*), sum(price), length(group_concat(substr(name, -3), ''))
FROM items GROUP BY grp ORDER BY sum(price) DESC, grp LIMIT 3;

-- A correlated subquery answered by the index, for 1,000 groups.
SELECT 'max', count(*), sum(m) FROM
  (SELECT g.grp, (SELECT max(price) FROM items WHERE grp = g.grp) AS m
   FROM (SELECT DISTINCT grp FROM items) AS g);
