"""The ingest path: column buffers → Arrow → Parquet chunk → spool file (fsync) → presigned PUT."""
