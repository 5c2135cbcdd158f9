"""Artifacts: content-addressed versions of datasets, models and results, with aliases and lineage."""
