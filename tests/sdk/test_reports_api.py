"""wanllmdb.apis.reports: a report built from blocks and panels is a valid spec, and it is saved,
re-saved, published and read back through a real local server."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import wanllmdb.apis.reports as wr
from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from wanllmdb.errors import UsageError
from wanllmdb.rest import ApiError, RestClient
from wanllmdb_functions.reports.spec import validate_spec


def every_block() -> list[Any]:
    return [
        wr.H1("Results"),
        wr.H2([wr.Italic("Setup")]),
        wr.H3("Details"),
        wr.P(["Loss fell by ", wr.Bold("12%"), ", see ", wr.Link("docs", "https://example.com"), " cc ",
              wr.Mention("ana"), " ", wr.InlineLatex("x^2"), " ", wr.InlineCode("lr"), wr.Strike("x"),
              wr.Underline("u")]),
        wr.BulletedList(["one", wr.ListItem("two", children=["two.a"], checked=True)]),
        wr.NumberedList(["first", "second"], start=3),
        wr.Quote("A quote"),
        wr.Callout("Careful", tone="warning"),
        wr.CodeBlock("print(1)\n", language="python"),
        wr.MarkdownBlock("| a |\n|---|\n| 1 |"),
        wr.LaTeXBlock("e^{i\\pi}+1=0"),
        wr.Image("/api/blobs/loss.png", caption="loss", width=480),
        wr.Video("https://example.com/v.mp4", caption="rollout"),
        wr.HorizontalRule(),
        wr.TableOfContents(),
        wr.PanelGrid(
            runsets=[wr.Runset(name="Sweep", filters={"state": "finished"}, groupby=["config.lr"],
                               order=["-summary.loss"], run_ids=["r1"])],
            panels=[
                wr.LinePlot(x="step", y=["loss"], smoothing_factor=0.6, title="Loss"),
                wr.ScatterPlot(x="config.lr", y="summary.acc"),
                wr.BarPlot(metrics=["acc"]),
                wr.MediaBrowser(media_keys=["samples"]),
                wr.RunComparer(diff_only=True, layout=wr.Layout(x=0, y=0, w=24, h=8)),
                wr.MarkdownPanel(markdown="**note**"),
                wr.ParallelCoordinatesPlot(columns=["config.lr", "summary.acc"]),
            ],
        ),
    ]  # fmt: skip


def test_a_report_with_every_block_and_panel_is_a_valid_spec():
    report = wr.Report("vision", title="Sweep", description="d", entity="team", blocks=every_block())
    spec = validate_spec(report.to_spec())
    grid = spec["blocks"][-1]
    assert grid["run_sets"][0]["project"] == "team/vision"  # a run set defaults to the report's project
    assert grid["run_sets"][0]["sort"] == [{"key": "summary.loss", "order": "desc"}]
    layouts = [p["layout"] for p in grid["panels"]]
    assert layouts[4] == {"x": 0, "y": 0, "w": 24, "h": 8}
    # The others flow three to a row below the panel placed by hand.
    assert [(lay["x"], lay["y"]) for lay in layouts if lay["w"] == 8] == [
        (0, 8),
        (8, 8),
        (16, 8),
        (0, 14),
        (8, 14),
        (16, 14),
    ]
    assert spec["blocks"][3]["text"][5] == {"text": "@ana", "mention": "ana"}
    assert report.to_spec() == report.to_spec()  # ids are made once, with the blocks


def test_the_reports_api_never_imports_the_server():
    code = (
        "import sys, wanllmdb.apis.reports;"
        "print(any(m.startswith('wanllmdb_functions') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_url_that_is_not_a_report_is_refused():
    with pytest.raises(UsageError, match="not a report URL"):
        wr.Report.from_url("http://localhost:8080/team/vision/runs/abc")


@pytest.fixture(scope="module")
def owner(module_server: LocalServer) -> tuple[User, RestClient, str]:
    user = register(module_server)
    project_id = user.project("vision")
    assert project_id
    return user, RestClient(module_server.url, user.token), module_server.url


@pytest.mark.slow
def test_save_creates_a_draft_then_saves_versions_and_publishes(owner: tuple[User, RestClient, str]):
    user, client, base = owner
    report = wr.Report("vision", title="Sweep", blocks=[wr.H1("Results"), wr.P("first")], client=client)
    url = report.save()
    assert url == f"{base}/{user.username}/vision/reports/{report.id}"
    assert (report.version, report.state) == (1, "draft")
    report.blocks.append(wr.PanelGrid(panels=[wr.LinePlot(y=["loss"])]))
    report.save()
    assert report.version == 2
    assert report.publish() == url and report.state == "published"

    again = wr.Report.from_url(url, client=client)
    assert again.to_spec() == report.to_spec()
    assert all(isinstance(b, wr.RawBlock) for b in again.blocks)
    again.blocks.append(wr.P("appended"))
    again.save()
    assert wr.Report.get(report.id, client=client).to_spec()["blocks"][-1]["text"] == [{"text": "appended"}]


@pytest.mark.slow
def test_a_retried_create_finds_the_same_report_and_brings_it_up_to_date(owner: tuple[User, RestClient, str]):
    _, client, _ = owner
    first = wr.Report("vision", title="Retry", blocks=[wr.P("v1")], client=client)
    first.save()
    # The same client id again (a script rerun after a lost answer): no twin, the new content is saved.
    retry = wr.Report("vision", title="Retry", blocks=[wr.P("v2")], id=first.id, client=client)
    retry.save()
    assert retry.version == 2
    assert wr.Report.get(first.id, client=client).to_spec()["blocks"][0]["text"] == [{"text": "v2"}]
    # The first handle now holds a stale version: its save is refused, not silently merged.
    with pytest.raises(ApiError) as conflict:
        first.save()
    assert conflict.value.status == 409


@pytest.mark.slow
def test_a_bad_spec_is_refused_with_its_json_path(owner: tuple[User, RestClient, str]):
    _, client, _ = owner
    report = wr.Report("vision", blocks=[wr.Callout("x", tone="shouting")], client=client)
    with pytest.raises(ApiError) as refused:
        report.save()
    assert refused.value.status == 422 and "blocks[0].tone" in str(refused.value.field)


def test_table_custom_chart_and_side_by_side_panels_write_the_configs_the_dashboard_reads():
    grid = wr.PanelGrid(
        panels=[
            wr.TablePanel(key="eval/predictions"),
            wr.CustomChart(preset="roc"),
            wr.CustomChart(
                chart={"type": "scatter", "source": {"kind": "runs"}, "fields": {"x": "config.lr"}}
            ),
            wr.SideBySide(metrics=["train/loss"], run_ids=["a1", "c3"]),
            wr.SideBySide(metrics=["train/loss"]),
        ]
    )
    report = wr.Report("vision", title="Panels", entity="team", blocks=[grid])
    panels = validate_spec(report.to_spec())["blocks"][0]["panels"]
    assert [(p["type"], p["config"]) for p in panels] == [
        ("table", {"key": "eval/predictions"}),
        ("custom_chart", {"preset": "roc"}),
        (
            "custom_chart",
            {"chart": {"type": "scatter", "source": {"kind": "runs"}, "fields": {"x": "config.lr"}}},
        ),
        ("side_by_side", {"keys": ["train/loss"], "runs": ["a1", "c3"]}),
        ("side_by_side", {"keys": ["train/loss"]}),
    ]
    with pytest.raises(ValueError, match=r"preset .* or chart"):
        wr.CustomChart()
    with pytest.raises(ValueError, match="not both"):
        wr.CustomChart(preset="roc", chart={"type": "line"})
