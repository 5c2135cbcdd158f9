"""Artifacts: versioned files and references, content-addressed on the server and in a local cache.

``Artifact`` (artifact.py) is the public object; ``run.log_artifact`` / ``use_artifact`` come from
run_artifacts.py; ``Api().artifact`` from api.py. Nothing here imports pyarrow, urllib3 or boto3 until
an artifact is logged or downloaded.
"""

from wanllmdb.artifacts.artifact import Artifact
from wanllmdb.artifacts.manifest import ArtifactManifest, ArtifactManifestEntry
from wanllmdb.artifacts.ttl import ArtifactTTL

__all__ = ["Artifact", "ArtifactManifest", "ArtifactManifestEntry", "ArtifactTTL"]
