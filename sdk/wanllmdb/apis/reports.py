"""``wanllmdb.apis.reports``: build a report from blocks and panels, save it and publish it.

In the spirit of wandb-workspaces' ``wandb_workspaces.reports.v2``::

    import wanllmdb.apis.reports as wr

    report = wr.Report(
        project="vision",
        title="ResNet sweep",
        blocks=[
            wr.H1("Results"),
            wr.P(["Loss fell by ", wr.Bold("12%"), " after ", wr.Link("warmup", "https://example.com")]),
            wr.PanelGrid(
                runsets=[wr.Runset(name="Sweep 3", filters={"sweep": "abc"})],
                panels=[wr.LinePlot(x="step", y=["loss"]), wr.ScatterPlot(x="lr", y="acc")],
            ),
        ],
    )
    url = report.save()  # a draft: created once (idempotent by the report's client id), then saved
    report.publish()

``Report.to_spec()`` is the report's content as schemas/report.schema.json describes it; the server
validates and sanitises it on every save. HTTP goes through the SDK's REST client (``wanllmdb.rest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from wanllmdb.apis._blocks import (
    H1,
    H2,
    H3,
    Block,
    Bold,
    BulletedList,
    Callout,
    CodeBlock,
    HorizontalRule,
    Image,
    InlineCode,
    InlineLatex,
    Italic,
    LaTeXBlock,
    Link,
    ListItem,
    MarkdownBlock,
    Mention,
    NumberedList,
    P,
    Quote,
    Strike,
    TableOfContents,
    Underline,
    Video,
    new_id,
)  # fmt: skip
from wanllmdb.apis._panels import (
    BarPlot,
    CustomChart,
    Layout,
    LinePlot,
    MarkdownPanel,
    MediaBrowser,
    PanelGrid,
    ParallelCoordinatesPlot,
    RunComparer,
    Runset,
    ScatterPlot,
    SideBySide,
    TablePanel,
)  # fmt: skip
from wanllmdb.errors import UsageError
from wanllmdb.rest import RestClient
from wanllmdb.settings import Settings

__all__ = [
    "H1", "H2", "H3", "BarPlot", "Bold", "BulletedList", "Callout", "CodeBlock", "CustomChart",
    "HorizontalRule", "Image",
    "InlineCode", "InlineLatex", "Italic", "LaTeXBlock", "Layout", "LinePlot", "Link", "ListItem",
    "MarkdownBlock", "MarkdownPanel", "MediaBrowser", "Mention", "NumberedList", "P", "PanelGrid",
    "ParallelCoordinatesPlot", "Quote", "RawBlock", "Report", "RunComparer", "Runset", "ScatterPlot",
    "SideBySide", "Strike", "TableOfContents", "TablePanel", "Underline", "Video",
]  # fmt: skip


@dataclass
class RawBlock(Block):
    """A block as the spec holds it (what ``Report.get`` gives back): saved unchanged."""

    spec: dict[str, Any] | None = None

    def to_spec(self) -> dict[str, Any]:
        return dict(self.spec or {})


class Report:
    """A report in ``project`` (a name in ``entity``, your own by default, or ``entity/project``)."""

    def __init__(
        self,
        project: str,
        title: str = "Untitled Report",
        description: str = "",
        entity: str | None = None,
        blocks: list[Block] | None = None,
        *,
        width: str = "readable",
        id: str | None = None,
        client: RestClient | None = None,
    ) -> None:
        if "/" in project:
            entity, project = project.split("/", 1)
        self.project, self.entity = project, entity
        self.title, self.description, self.width = title, description, width
        self.blocks: list[Block] = list(blocks or [])
        # Made here, so a save retried after a lost answer finds the report it created instead of a twin.
        self.id = id or new_id()
        self.version: int | None = None
        self.state: str | None = None
        self._client = client
        self._base_url: str | None = None

    # ---- the spec ----

    def to_spec(self) -> dict[str, Any]:
        project = f"{self.entity}/{self.project}" if self.entity else self.project
        blocks = [b.to_spec(project) if isinstance(b, PanelGrid) else b.to_spec() for b in self.blocks]
        spec: dict[str, Any] = {"version": 1, "title": self.title, "width": self.width, "blocks": blocks}
        if self.description:
            spec["description"] = self.description
        return spec

    # ---- the server ----

    @property
    def client(self) -> RestClient:
        if self._client is None:
            settings = Settings.resolve({})
            self._client = RestClient(settings.base_url, settings.api_key, timeout_s=30.0)
        return self._client

    @property
    def url(self) -> str:
        """The dashboard page of the report."""
        base = self._base_url or self.client.base_url
        return f"{base}/{self.entity}/{self.project}/reports/{self.id}"

    def _project_id(self) -> str:
        entity = self.entity or str(self.client.me()["username"])
        path = f"/projects/by-name/{quote(entity, safe='')}/{quote(self.project, safe='')}"
        return str(self.client.call("GET", path)[1]["id"])

    def _absorb(self, body: dict[str, Any]) -> None:
        self.version, self.state = int(body["version"]), body["state"]
        self.entity, self.project = body["entity"], body["project"]

    def save(self, draft: bool = True) -> str:
        """Create the report (first time) or save a new version of it; publish it unless ``draft``.
        Returns its URL. A save that lost a race with another editor raises ``ApiError`` 409."""
        spec = self.to_spec()
        body: dict[str, Any] = {"title": self.title, "description": self.description, "spec": spec}
        if self.version is None:
            path = f"/projects/{quote(self._project_id(), safe='')}/reports"
            status, created = self.client.call("POST", path, {"id": self.id, **body})
            self._absorb(created)
            stale = created["spec"] != spec or created["title"] != self.title
            if status == 201 or not stale:  # a 200 is this id created before: bring it up to date
                return self.publish() if not draft else self.url
        _, saved = self.client.call("PUT", f"/reports/{self.id}", {**body, "base_version": self.version})
        self._absorb(saved)
        return self.publish() if not draft else self.url

    def publish(self) -> str:
        """Publish the saved report (drafts are visible to their owner only); returns its URL."""
        if self.version is None:
            return self.save(draft=False)
        _, published = self.client.call("POST", f"/reports/{self.id}/publish", {})
        self._absorb(published)
        return self.url

    @classmethod
    def get(cls, id: str, *, client: RestClient | None = None) -> Report:
        """The saved report with this id; its blocks come back as ``RawBlock``s."""
        probe = cls("_", client=client)
        _, body = probe.client.call("GET", f"/reports/{quote(id, safe='')}")
        spec = body["spec"]
        report = cls(
            body["project"],
            title=body["title"],
            description=body.get("description", ""),
            entity=body["entity"],
            blocks=[RawBlock(id=b["id"], spec=b) for b in spec.get("blocks", [])],
            width=spec.get("width", "readable"),
            id=body["id"],
            client=probe.client,
        )
        report._absorb(body)
        return report

    @classmethod
    def from_url(cls, url: str, *, client: RestClient | None = None) -> Report:
        """The report at a dashboard URL (``.../<entity>/<project>/reports/<id>``)."""
        parts = [p for p in urlsplit(url).path.split("/") if p]
        if "reports" not in parts or parts.index("reports") + 1 >= len(parts):
            raise UsageError(f"{url!r} is not a report URL: expected .../<entity>/<project>/reports/<id>")
        return cls.get(parts[parts.index("reports") + 1], client=client)
