"""A run as the public API sees it: metadata, config, summary, history and files."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb.errors import UsageError

from ._frames import FrameFormat, decode_media, media_columns, to_frame
from ._http import ApiHttp

__all__ = ["File", "Run"]

_SCAN_PAGE = 10_000
_LAST_STEP = 2**63 - 1  # "the latest": the media routes answer the nearest earlier step


class File:
    def __init__(self, http: ApiHttp, item: dict[str, Any]) -> None:
        self._http = http
        self.name: str = item["path"]
        self.size: int = int(item.get("size", 0))
        self.updated_at: str | None = item.get("updated_at")
        self.url: str = item["url"]

    def download(self) -> bytes:
        return self._http.download(self.url)

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.size} bytes)>"


class Run:
    """Mirrors wandb's public `Run`: config, summary, state, history(), scan_history(), files()."""

    def __init__(self, http: ApiHttp, attrs: dict[str, Any]) -> None:
        self._http = http
        self._attrs = attrs

    # -- metadata ------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return str(self._attrs["id"])

    @property
    def name(self) -> str | None:
        return self._attrs.get("name")

    @property
    def state(self) -> str:
        return str(self._attrs["state"])

    @property
    def config(self) -> dict[str, Any]:
        return dict(self._attrs.get("config") or {})

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self._attrs.get("summary") or {})

    @property
    def group(self) -> str | None:
        return self._attrs.get("group")

    @property
    def tags(self) -> list[str]:
        return list(self._attrs.get("tags") or [])

    @property
    def project_id(self) -> str:
        return str(self._attrs["project_id"])

    @property
    def path(self) -> str:
        return f"{self._attrs.get('entity')}/{self._attrs.get('project')}/{self.id}"

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self._attrs)

    def refresh(self) -> Run:
        self._attrs = self._http.get(f"/runs/{self.id}", project_id=self.project_id)
        return self

    def __repr__(self) -> str:
        return f"<Run {self.path} ({self.state})>"

    # -- delete and restore (docs/deletes.md) ---------------------------------------------------
    def delete(self, delete_artifacts: bool = False) -> dict[str, Any]:
        """Delete the run, as wandb's `Run.delete`: hidden at once, restorable with `restore()` for
        the server's grace period, then purged. `delete_artifacts` also deletes the artifact versions
        the run logged. Returns the deletion (its `state`, `purge_after`)."""
        if delete_artifacts:
            for version in self.logged_artifacts():
                version.delete(delete_aliases=True)
        deletion: dict[str, Any] = self._http.delete(f"/runs/{self.id}", project_id=self.project_id)
        return deletion

    def restore(self) -> Run:
        """Undo `delete()` within the grace period (`wanllmdb.ApiError` with status 410 once purged)."""
        self._http.post(f"/runs/{self.id}/restore", {}, params={"project_id": self.project_id})
        return self.refresh()

    # -- metrics -------------------------------------------------------------------------------
    def _history_table(
        self, *, samples: int | None, keys: Sequence[str] | None, stream: str, x_axis: str = "_step"
    ) -> pa.Table:
        wanted = list(keys) if keys else None
        if wanted and x_axis != "_step" and x_axis not in wanted:
            wanted.append(x_axis)
        table, _ = self._http.get_parquet(
            f"/runs/{self.id}/history",
            project_id=self.project_id,
            keys=",".join(wanted) if wanted else None,
            samples=samples,
            stream=stream,
            page_size=100_000,
            format="parquet",
        )
        if x_axis != "_step" and x_axis in table.column_names:
            table = table.filter(pa.compute.is_valid(table[x_axis])).sort_by(x_axis)
        return table

    def history(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        pandas: bool | None = None,
        stream: str = "default",
        *,
        format: FrameFormat | None = None,
    ) -> Any:
        """At most `samples` evenly spread steps as a frame: pandas when it is importable, else Polars
        (else a pyarrow Table). `pandas=True` insists on pandas, `pandas=False` gives a list of dicts
        (wandb's), `format=` picks any of auto, pandas, polars, arrow, records.

        `stream='system'` reads system metrics (wandb's 'events' stream). A media key's cells are its
        descriptors: dicts in pandas and records (as in wandb), JSON text in Polars and Arrow; fetch the
        bytes with `run.file(descriptor["path"]).download()`.
        """
        lake_stream = "system" if stream in ("system", "events") else "history"
        table = self._history_table(samples=samples, keys=keys, stream=lake_stream, x_axis=x_axis)
        if format is None:
            format = "auto" if pandas is None else "pandas" if pandas else "records"
        return to_frame(table, format)

    def scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = _SCAN_PAGE,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every step (no sampling) as dicts, fetched page by page as Parquet."""
        cursor: str | None = None
        while True:
            table, cursor = self._http.get_parquet(
                f"/runs/{self.id}/history",
                project_id=self.project_id,
                keys=",".join(keys) if keys else None,
                page_size=page_size,
                min_step=min_step,
                max_step=max_step,
                cursor=cursor,
                format="parquet",
            )
            for row in decode_media(table.to_pylist(), media_columns(table)):
                yield {k: v for k, v in row.items() if v is not None}
            if cursor is None:
                return

    def metric_keys(self, stream: str = "history") -> list[str]:
        return list(
            self._http.get(f"/runs/{self.id}/metric-keys", stream=stream, project_id=self.project_id)["keys"]
        )

    def export_parquet(self) -> bytes:
        """The run's full history as one Parquet file (the compacted lake file)."""
        grant = self._http.get(f"/runs/{self.id}/export", project_id=self.project_id)
        return self._http.download(grant["url"])

    def table(self, key: str, step: int | None = None, format: FrameFormat | Literal["json"] = "auto") -> Any:
        """The Table logged under `key` (at `step`, or the nearest earlier; the last one by default),
        read straight from its Parquet file: a frame as `history()` gives one, or with
        `format="json"` wandb's `{"columns": [...], "data": [[...], ...]}`. Media cells are their
        descriptors as JSON text."""
        item = self._http.get(
            f"/runs/{self.id}/media/item",
            key=key,
            step=_LAST_STEP if step is None else step,
            project_id=self.project_id,
        )
        descriptor = item["descriptor"]
        if descriptor.get("_type") != "table-file":
            raise UsageError(f"run.table({key!r}): that key holds {descriptor.get('_type')}, not a table")
        table = pq.read_table(io.BytesIO(self._http.download(descriptor["url"])))
        if format == "json":
            return {"columns": table.column_names, "data": [list(row.values()) for row in table.to_pylist()]}
        return to_frame(table.replace_schema_metadata(None), format)

    # -- artifacts ------------------------------------------------------------------------------
    def _artifact_edges(self) -> dict[str, list[Any]]:
        from wanllmdb.artifacts.api import ArtifactQueries
        from wanllmdb.settings import Settings

        settings = Settings.resolve({"base_url": self._http.base_url, "api_key": self._http.api_key})
        return ArtifactQueries(settings, self._attrs.get("entity")).run_artifacts(self.id, self.project_id)

    def used_artifacts(self) -> list[Any]:
        """The artifact versions this run used (one query)."""
        return self._artifact_edges()["used"]

    def logged_artifacts(self) -> list[Any]:
        """The artifact versions this run logged (one query)."""
        return self._artifact_edges()["logged"]

    def file(self, name: str) -> File:
        """One saved file, or a media object by its descriptor's `path` (wandb's `run.file(...)`)."""
        return File(
            self._http, self._http.get(f"/runs/{self.id}/file", path=name, project_id=self.project_id)
        )

    def files(self) -> list[File]:
        return [
            File(self._http, item)
            for item in self._http.get(f"/runs/{self.id}/files", project_id=self.project_id)["items"]
        ]
