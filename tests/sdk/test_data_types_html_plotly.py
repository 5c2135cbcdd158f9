"""wanllmdb.Html and wanllmdb.Plotly, and matplotlib figures converted by from_matplotlib."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from wanllmdb.data_types import Html, Image, Plotly, from_matplotlib, media_path
from wanllmdb.errors import InvalidValue


def test_html_strings_are_stored_with_the_injected_head() -> None:
    p = Html("<html><head><title>t</title></head><body><b>hi</b></body></html>").prepare("report", 1)
    html = (p.data or b"").decode()
    assert html.startswith('<html><head><base target="_blank"><style>') and "<b>hi</b>" in html
    assert (p.ext, p.type_dir, p.descriptor["_type"], p.descriptor["inject"]) == (
        "html",
        "html",
        "html-file",
        True,
    )
    assert media_path(p, "report", 1) == f"html/report_1_{p.descriptor['sha256'][:20]}.html"


def test_inject_false_keeps_the_html_byte_for_byte() -> None:
    p = Html("<p>x</p>", inject=False).prepare("k", 0)
    assert p.data == b"<p>x</p>" and p.descriptor["inject"] is False
    assert (Html("<p>x</p>").prepare("k", 0).data or b"").startswith(b"<head><base")


def test_html_from_files_and_file_objects(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>file</p>")
    assert Html(str(path), inject=False).prepare("k", 0).data == b"<p>file</p>"
    assert Html(path, inject=False).prepare("k", 0).data == b"<p>file</p>"
    assert Html(io.StringIO("<p>io</p>"), inject=False).prepare("k", 0).data == b"<p>io</p>"


def test_html_bad_input() -> None:
    with pytest.raises(InvalidValue, match=r"Html: got int; accepted: an HTML string"):
        Html(3)
    with pytest.raises(InvalidValue, match=r"cannot read file 'missing.html'"):
        Html("missing.html")


def test_plotly_figures_are_stored_as_plotly_json() -> None:
    go = pytest.importorskip("plotly.graph_objects")
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    chart = Plotly(fig)
    fig.add_trace(go.Scatter(x=[0], y=[0]))  # later changes do not reach what was logged
    p = chart.prepare("chart", 2)
    spec = json.loads(p.data or b"")
    assert len(spec["data"]) == 1 and spec["data"][0]["type"] == "scatter"
    assert (p.ext, p.type_dir, p.descriptor["_type"]) == ("plotly.json", "plotly", "plotly-file")
    assert media_path(p, "chart", 2).startswith("plotly/chart_2_")


def test_plotly_dicts_with_numpy_values() -> None:
    p = Plotly({"data": [{"type": "bar", "y": np.arange(3)}], "layout": {}}).prepare("k", 0)
    assert json.loads(p.data or b"")["data"][0]["y"] == [0, 1, 2]
    same = Plotly({"data": [{"type": "bar", "y": [0, 1, 2]}], "layout": {}}).prepare("k", 1)
    assert same.descriptor["sha256"] == p.descriptor["sha256"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("figure", r"Plotly: got str; accepted: a plotly figure"),
        ({"layout": {}}, r"got dict; accepted"),
        ({"data": [{"y": [float("nan")]}]}, r"the figure dict is not plotly JSON"),
    ],
)
def test_plotly_bad_input(value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Plotly(value)


plt = pytest.importorskip("matplotlib.pyplot")


def test_a_line_plot_converts_to_plotly_when_plotly_can() -> None:
    pytest.importorskip("plotly")
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    media = from_matplotlib(fig)
    plt.close(fig)
    assert isinstance(media, Plotly)
    assert json.loads(media.prepare("k", 0).data or b"")["data"][0]["y"] == [3.0, 1.0, 2.0]


@pytest.mark.parametrize("draw", ["imshow", "hist", "text", "empty"])
def test_other_figures_fall_back_to_a_png_image_and_never_raise(draw: str) -> None:
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    if draw == "imshow":
        ax.imshow(np.eye(3))
    elif draw == "hist":
        ax.hist([1, 2, 2, 3])
    elif draw == "text":
        ax.text(0.5, 0.5, "x")
    media = from_matplotlib(fig)
    plt.close(fig)
    assert isinstance(media, Image | Plotly)
    p = media.prepare("k", 0)
    assert p.data
    if isinstance(media, Image):
        assert (p.ext, p.descriptor["width"], p.descriptor["height"]) == ("png", 80, 80)


def test_without_plotly_every_figure_is_a_png(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "plotly", None)
    monkeypatch.setitem(sys.modules, "plotly.tools", None)
    fig, ax = plt.subplots(figsize=(1, 1), dpi=30)
    ax.plot([1, 2])
    assert isinstance(from_matplotlib(fig), Image)
    assert isinstance(from_matplotlib(ax), Image)  # axes: their figure
    assert isinstance(from_matplotlib(plt), Image)  # the pyplot module: its current figure
    plt.close("all")


def test_from_matplotlib_refuses_what_is_not_a_figure() -> None:
    with pytest.raises(
        InvalidValue, match=r"from_matplotlib: got list; accepted: a matplotlib figure or axes"
    ):
        from_matplotlib([1])
