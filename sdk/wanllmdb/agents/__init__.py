"""Sweep agents and the sweep controls of the SDK: ``wanllmdb.sweep``, ``wanllmdb.agent``, and the
``wanllmdb sweep`` / ``wanllmdb agent`` commands (docs/sweeps.md). The search engine is
``wanllmdb.sweeps``; the controller runs on the server (functions/wanllmdb_functions/sweeps)."""
