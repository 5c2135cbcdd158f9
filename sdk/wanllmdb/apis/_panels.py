"""Panel grids of ``wanllmdb.apis.reports``: run sets and panels on the 24-column layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wanllmdb.apis._blocks import Block, new_id

__all__ = [
    "BarPlot", "CustomChart", "Layout", "LinePlot", "MarkdownPanel", "MediaBrowser", "Panel", "PanelGrid",
    "ParallelCoordinatesPlot", "RunComparer", "Runset", "ScatterPlot", "SideBySide", "TablePanel",
]  # fmt: skip


# ---- panel grids ------------------------------------------------------------------------------------


@dataclass
class Layout:
    x: int = 0
    y: int = 0
    w: int = 8
    h: int = 6


@dataclass
class Runset:
    project: str | None = None  # a project id or entity/project; the report's project when None
    filters: dict[str, Any] | None = None  # the workspace's run filter
    name: str = "Run set"
    groupby: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # "-summary.loss": descending
    run_ids: list[str] | None = None  # only these runs
    id: str = field(default_factory=new_id, kw_only=True)

    def to_spec(self, default_project: str) -> dict[str, Any]:
        spec: dict[str, Any] = {"id": self.id, "name": self.name, "project": self.project or default_project}
        if self.filters is not None:
            spec["filters"] = self.filters
        if self.groupby:
            spec["grouping"] = list(self.groupby)
        if self.order:
            spec["sort"] = [
                {"key": k.lstrip("-+"), "order": "desc" if k.startswith("-") else "asc"} for k in self.order
            ]
        if self.run_ids is not None:
            spec["selection"] = {"mode": "selected", "run_ids": list(self.run_ids)}
        return spec


@dataclass
class Panel:
    title: str | None = field(default=None, kw_only=True)
    layout: Layout | None = field(default=None, kw_only=True)
    id: str = field(default_factory=new_id, kw_only=True)
    kind = ""

    def config(self) -> dict[str, Any]:
        return {}

    def to_spec(self, layout: Layout) -> dict[str, Any]:
        spec: dict[str, Any] = {"id": self.id, "type": self.kind, "layout": vars(layout).copy()}
        spec |= {"title": self.title} if self.title else {}
        return spec | {"config": {k: v for k, v in self.config().items() if v is not None}}


@dataclass
class LinePlot(Panel):
    x: str = "step"
    y: list[str] = field(default_factory=list)
    smoothing_factor: float | None = None
    log_y: bool | None = None
    kind = "line"

    def config(self) -> dict[str, Any]:
        return {"x": self.x, "keys": list(self.y), "smoothing": self.smoothing_factor, "log_y": self.log_y}


@dataclass
class ScatterPlot(Panel):
    x: str = ""
    y: str = ""
    kind = "scatter"

    def config(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y}


@dataclass
class BarPlot(Panel):
    metrics: list[str] = field(default_factory=list)
    kind = "bar"

    def config(self) -> dict[str, Any]:
        return {"keys": list(self.metrics)}


@dataclass
class MediaBrowser(Panel):
    media_keys: list[str] = field(default_factory=list)
    kind = "media"

    def config(self) -> dict[str, Any]:
        return {"keys": list(self.media_keys)}


@dataclass
class RunComparer(Panel):
    diff_only: bool = False
    kind = "run_comparison"

    def config(self) -> dict[str, Any]:
        return {"diff_only": self.diff_only}


@dataclass
class MarkdownPanel(Panel):
    markdown: str = ""
    kind = "markdown"

    def config(self) -> dict[str, Any]:
        return {"markdown": self.markdown}


@dataclass
class ParallelCoordinatesPlot(Panel):
    columns: list[str] = field(default_factory=list)
    kind = "parallel_coordinates"

    def config(self) -> dict[str, Any]:
        return {"keys": list(self.columns)}


@dataclass
class TablePanel(Panel):
    """A wandb Table the runs logged under ``key`` (up to four runs side by side)."""

    key: str = ""
    kind = "table"

    def config(self) -> dict[str, Any]:
        return {"key": self.key}


@dataclass
class CustomChart(Panel):
    """A chart the runs logged with ``wanllmdb.plot.*`` (``preset``: its key), or a chart spec as the
    workspace's custom chart editor saves it (``chart``); give one of the two."""

    preset: str | None = None
    chart: dict[str, Any] | None = None
    kind = "custom_chart"

    def __post_init__(self) -> None:
        if (self.preset is None) == (self.chart is None):
            raise ValueError("CustomChart: give preset (a logged chart's key) or chart (a spec), not both")

    def config(self) -> dict[str, Any]:
        return {"preset": self.preset, "chart": self.chart}


@dataclass
class SideBySide(Panel):
    """One small chart per run for ``metrics``, all on one x range (``run_ids``: these runs, else
    every run of the run set, up to 12)."""

    metrics: list[str] = field(default_factory=list)
    run_ids: list[str] | None = None
    kind = "side_by_side"

    def config(self) -> dict[str, Any]:
        return {"keys": list(self.metrics), "runs": None if self.run_ids is None else list(self.run_ids)}


def _auto_layout(panels: list[Panel]) -> list[Layout]:
    # Panels without a layout flow left to right, three to a row, below the ones placed by hand.
    placed = [p.layout for p in panels if p.layout is not None]
    top = max((lay.y + lay.h for lay in placed), default=0)
    out, n = [], 0
    for panel in panels:
        if panel.layout is not None:
            out.append(panel.layout)
            continue
        out.append(Layout(x=(n % 3) * 8, y=top + (n // 3) * 6, w=8, h=6))
        n += 1
    return out


@dataclass
class PanelGrid(Block):
    runsets: list[Runset] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)

    def to_spec(self, default_project: str = "") -> dict[str, Any]:
        runsets = self.runsets or [Runset(id=f"{self.id}-rs")]
        return {
            "id": self.id,
            "type": "panel_grid",
            "run_sets": [r.to_spec(default_project) for r in runsets],
            "panels": [p.to_spec(lay) for p, lay in zip(self.panels, _auto_layout(self.panels), strict=True)],
        }
