"""Bypass attempts against `POST /api/sql`: every one must be refused, never answered with data.

`{secret}` is replaced by a file the server can read and no caller may (its admin key, or a file
outside the lake), so a query that slipped through would print a marker the tests look for.
"""

from __future__ import annotations

ATTACKS: list[str] = [
    # The two reported reads: quotes inside comments, and a quoted function name.
    "SELECT * /* ' */ FROM read_csv('{secret}', has_header => false) /* ' */",
    "SELECT * FROM \"read_csv\"('{secret}', has_header => false)",
    # Comment and quote tricks.
    "SELECT * FROM metrics -- '\n UNION ALL SELECT * FROM read_csv('{secret}')",
    "SELECT '/*' AS a, * FROM read_csv('{secret}') -- */",
    "SELECT * FROM read_csv('{secret}' /* ) */)",
    "SELECT 'x'';' AS a FROM read_csv('{secret}')",
    # Case and unicode tricks.
    "select * from ReAd_CsV('{secret}')",
    "SELECT * FROM READ_CSV_AUTO('{secret}')",
    "SELECT * FROM read_\u0441sv('{secret}')",  # a Cyrillic 's'
    "SELECT * FROM read\u200b_csv('{secret}')",  # a zero-width space
    "\uff33\uff25\uff2c\uff25\uff23\uff34 * FROM read_csv('{secret}')",  # full-width letters
    # Quoted identifiers naming files or other schemas.
    'SELECT * FROM "{secret}"',
    "SELECT * FROM '{secret}'",
    "SELECT * FROM `{secret}`",
    "SELECT * FROM main.metrics",
    "SELECT * FROM information_schema.tables",
    # Nesting: subqueries, CTEs, set operations, joins, lateral.
    "SELECT * FROM metrics WHERE run IN (SELECT column0 FROM read_csv('{secret}'))",
    "SELECT (SELECT count(*) FROM read_csv('{secret}')) AS n",
    "WITH x AS (SELECT * FROM read_csv('{secret}')) SELECT * FROM x",
    "WITH metrics AS (SELECT * FROM read_parquet('{secret}')) SELECT * FROM metrics",
    "WITH a AS (WITH b AS (SELECT * FROM read_csv('{secret}')) SELECT * FROM b) SELECT * FROM a",
    "SELECT * FROM metrics UNION ALL SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM metrics, read_csv('{secret}')",
    "SELECT * FROM metrics JOIN read_json('{secret}') ON true",
    "SELECT * FROM metrics m, LATERAL read_csv(m.run)",
    "FROM read_csv('{secret}')",
    "SELECT * FROM (FROM read_csv('{secret}'))",
    # Lake paths, traversal, globs, URLs and object stores.
    "SELECT * FROM read_parquet('../../{secret}')",
    "SELECT * FROM read_parquet('metrics/**/*.parquet')",
    "SELECT * FROM read_parquet(['{secret}'])",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('s3://wanllmdb-lake/metrics/project=p/run=r/stream=history/x.parquet')",
    "SELECT * FROM read_csv('https://169.254.169.254/latest/meta-data/')",
    "SELECT * FROM read_parquet('file:///etc/passwd')",
    # Each engine's file, environment and catalog functions.
    "SELECT * FROM read_csv('/proc/self/environ')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_blob('{secret}')",
    "SELECT * FROM read_ndjson('{secret}')",
    "SELECT * FROM read_ipc('{secret}')",
    "SELECT * FROM read_delta('{secret}')",
    "SELECT * FROM scan_parquet('{secret}')",
    "SELECT * FROM parquet_scan('{secret}')",
    "SELECT * FROM parquet_metadata('{secret}')",
    "SELECT * FROM sqlite_scan('{secret}', 'items')",
    "SELECT * FROM iceberg_scan('s3://bucket/table')",
    "SELECT * FROM query_table('metrics')",
    "SELECT * FROM query('SELECT * FROM read_csv(''{secret}'')')",
    "SELECT * FROM duckdb_settings()",
    "SELECT getenv('AWS_SECRET_ACCESS_KEY') AS k",
    "SELECT current_setting('s3_secret_access_key') AS k",
    "SELECT * FROM range(10)",
    # Statements other than one SELECT.
    "SELECT 1 AS a; SELECT * FROM read_csv('{secret}')",
    "COPY metrics TO '/tmp/stolen.csv'",
    "COPY (SELECT 1) TO '/tmp/stolen.csv'",
    "ATTACH '{secret}' AS stolen",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "CREATE TABLE t AS SELECT * FROM metrics",
    "CREATE VIEW v AS SELECT * FROM read_csv('{secret}')",
    "DROP TABLE metrics",
    "DELETE FROM metrics",
    "INSERT INTO metrics SELECT * FROM metrics",
    "SELECT * INTO stolen FROM metrics",
    "EXPORT DATABASE '/tmp/stolen'",
    "CALL pragma_version()",
    "EXPLAIN SELECT * FROM read_csv('{secret}')",
    "DESCRIBE metrics",
    "SHOW TABLES",
]
