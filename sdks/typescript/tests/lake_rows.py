"""A run stream's rows as the lake holds them, printed as JSON, for the TypeScript SDK's tests.

No dedup: every visible object (compacted files, and the chunks none of them covers) is read as it
is, so a row that landed twice shows twice. Usage: lake_rows.py DATA_DIR PROJECT_ID RUN_ID [STREAM]
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.lake.reader import read_stream


def _value(value: float | None) -> float | str | None:
    # JSON has no NaN or infinity: those travel as their repr ("nan", "inf").
    return value if value is None or math.isfinite(value) else repr(value)


def main() -> None:
    data_dir, project_id, run_id = sys.argv[1:4]
    stream = sys.argv[4] if len(sys.argv) > 4 else "history"
    storage = build_storage(Settings(data_dir=Path(data_dir)))
    read = read_stream(storage.blobs, project_id, run_id, stream, dedup=False)
    rows = [
        {
            "step": r["step"],
            "key": r["key"],
            "value": _value(r["value"]),
            "text": r["text"],
            "attempt": r["attempt"],
        }
        for r in read.frame.with_columns(read.frame["key"].cast(str)).iter_rows(named=True)
    ]
    objects = read.objects
    print(json.dumps({"rows": rows, "chunks": len(objects.chunks), "compacted": len(objects.compacted)}))


if __name__ == "__main__":
    main()
