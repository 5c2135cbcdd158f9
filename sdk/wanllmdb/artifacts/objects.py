"""`artifact.add(obj, name)`: a wanllmdb.Table or media object written into the draft as a file.

The object is encoded as ``log()`` would (its ``prepare``), into the draft's staging folder:
a Table is one Parquet file ``<name>.table.parquet``, an image ``<name>.image.png``, and so on; its
descriptor is kept in the entry's ``extra``. Media inside a Table are stored beside it under
``media/<type>/<sha256>.<ext>``. Inline types (Histogram) are their descriptor as ``<name>.<type>.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.errors import UsageError

if TYPE_CHECKING:
    from wanllmdb.artifacts.draft import DraftBuilder

__all__ = ["write_object"]


def write_object(artifact: DraftBuilder, obj: Any, name: str) -> tuple[str, Path, dict[str, Any]]:
    from wanllmdb.data_types.base import Media, to_media

    media = obj if isinstance(obj, Media) else to_media(obj)
    if not isinstance(media, Media):
        raise UsageError(
            f"artifact.add({type(obj).__name__}, {name!r}): add takes a wanllmdb.Table or media object "
            "(Image, Audio, Video, Object3D, Html, Plotly, Histogram); use add_file for files"
        )
    staging = artifact._staging_dir()

    def store(inner: Any) -> dict[str, Any]:
        prepared = inner.prepare(name, 0)
        descriptor = dict(prepared.descriptor)
        if prepared.data is not None:
            rel = f"media/{prepared.type_dir}/{descriptor['sha256']}.{prepared.ext}"
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(prepared.data)
            artifact._put(rel, target)
            descriptor["path"] = rel
        return descriptor

    prepared = media.prepare_with(name, 0, store)
    descriptor = dict(prepared.descriptor)
    kind = prepared.type_dir or str(descriptor.get("_type", "object")).split("-")[0]
    if prepared.data is None:
        key, data = f"{name}.{kind}.json", json.dumps(descriptor).encode()
    else:
        key, data = f"{name}.{kind}.{prepared.ext}", prepared.data
    target = staging / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    descriptor["path"] = key
    return key, target, descriptor
