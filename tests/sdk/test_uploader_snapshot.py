"""A run file rewritten while it is being uploaded is sent as the bytes that were hashed, so the
checksummed PUT matches its grant (it used to hash one file and send its replacement: a 400)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, BinaryIO

from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import Blob, SpoolUploader


class RacingClient:
    """Grants every item; while granting, replaces config.yaml by rename as run_files.py does."""

    def __init__(self, rd: RunDir) -> None:
        self.rd = rd
        self.sent: list[tuple[str, bytes]] = []

    def grant_uploads(self, run_id: str, items: list[dict[str, Any]], **_: Any) -> list[dict[str, Any]]:
        replacement = self.rd.files / ".config.yaml.tmp"
        replacement.write_text("lr:\n  value: 0.5\nepochs:\n  value: 10\n")
        os.replace(replacement, self.rd.files / "config.yaml")
        return [{"url": "http://blobs.test/x", "sha256": item["sha256"], "key": "k"} for item in items]

    def put_blob(self, grant: dict[str, Any], source: Path | BinaryIO, *, size: int) -> None:
        if isinstance(source, Path):
            data = source.read_bytes()
        else:
            source.seek(0)
            data = source.read()
        self.sent.append((grant["sha256"], data))


def test_a_file_replaced_after_it_was_hashed_is_sent_as_hashed(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    rd.write_record({"id": "r1", "project_id": "p1"})
    (rd.files / "config.yaml").write_text("lr:\n  value: 0.1\n")
    client = RacingClient(rd)
    uploader = SpoolUploader(rd, client)  # type: ignore[arg-type]
    uploader._upload([Blob("file", "config.yaml")])
    ((sha, data),) = client.sent
    assert hashlib.sha256(data).hexdigest() == sha and data == b"lr:\n  value: 0.1\n"
    # The new content is pending again, under its own digest.
    assert [b.name for b in uploader.pending_blobs()] == ["config.yaml"]
