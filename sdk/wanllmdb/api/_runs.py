"""A lazily paged, filtered and ordered list of runs (server-side, per the runs listing contract)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ._frames import FrameFormat, to_frame
from ._http import ApiHttp
from ._run import Run

__all__ = ["Runs"]


class Runs:
    """Iterate, index or `len()`; pages of `per_page` are fetched as you go."""

    def __init__(
        self,
        http: ApiHttp,
        project_id: str,
        *,
        filters: dict[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
    ) -> None:
        self._http = http
        self.project_id = project_id
        self._filters = json.dumps(filters) if filters else None
        self._order = order
        self._per_page = per_page
        self._loaded: list[Run] = []
        self._cursor: str | None = None
        self._done = False
        self._total: int | None = None

    def _next_page(self) -> bool:
        if self._done:
            return False
        page = self._http.get(
            f"/projects/{self.project_id}/runs",
            filters=self._filters,
            order=self._order,
            per_page=self._per_page,
            cursor=self._cursor,
        )
        self._loaded += [Run(self._http, item) for item in page["items"]]
        self._total = int(page.get("total", len(self._loaded)))
        self._cursor = page.get("next_cursor")
        self._done = self._cursor is None
        return bool(page["items"]) or not self._done

    def __iter__(self) -> Iterator[Run]:
        i = 0
        while True:
            while i >= len(self._loaded):
                if not self._next_page():
                    return
            yield self._loaded[i]
            i += 1

    def __len__(self) -> int:
        if self._total is None:
            self._next_page()
        return self._total or 0

    def __getitem__(self, index: int) -> Run:
        while index >= len(self._loaded) and self._next_page():
            pass
        return self._loaded[index]

    def histories(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        format: FrameFormat = "auto",
        stream: str = "default",
    ) -> Any:
        """Every run's sampled history in one frame with a `run_id` column (pandas, else Polars)."""
        lake_stream = "system" if stream in ("system", "events") else "history"
        tables = []
        for run in self:
            table = run._history_table(samples=samples, keys=keys, stream=lake_stream, x_axis=x_axis)
            tables.append(table.add_column(0, "run_id", pa.array([run.id] * table.num_rows, pa.string())))
        merged = (
            pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({"run_id": []})
        )
        return to_frame(merged, format)
