"""matplotlib figures in ``log()``: converted to ``Plotly`` where plotly can, else rendered to a PNG
``Image``. ``from_matplotlib`` never raises for a valid figure.

plotly's converter (``plotly.tools.mpl_to_plotly``) handles simple line and scatter plots and fails,
or warns, on much of modern matplotlib; any failure falls back to the PNG, which always works.
Rendering happens on the caller's thread, where the figure lives: matplotlib is not thread-safe.
"""

from __future__ import annotations

import warnings
from typing import Any

from wanllmdb.data_types.base import Media, describe
from wanllmdb.errors import InvalidValue

__all__ = ["from_matplotlib", "matplotlib_to_plotly_json"]


def _figure(value: Any) -> Any:
    if getattr(value, "__name__", None) == "matplotlib.pyplot":
        return value.gcf()  # log({"chart": plt}), as wandb accepts
    if (type(value).__module__ or "").startswith("matplotlib") and hasattr(value, "savefig"):
        return value
    if hasattr(value, "get_figure") and (type(value).__module__ or "").startswith("matplotlib"):
        return value.get_figure()  # an Axes
    raise InvalidValue(f"from_matplotlib: got {describe(value)}; accepted: a matplotlib figure or axes")


def matplotlib_to_plotly_json(fig: Any) -> str | None:
    """The figure as plotly JSON, or None when plotly is missing or cannot convert it."""
    try:
        import plotly.tools

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converted = plotly.tools.mpl_to_plotly(fig)
        return str(converted.to_json())
    except Exception:  # plotly's converter fails in many ways; the PNG is the answer
        return None


def from_matplotlib(value: Any) -> Media:
    """A ``Plotly`` for figures plotly can convert, else a PNG ``Image`` of the figure."""
    from wanllmdb.data_types.image import Image
    from wanllmdb.data_types.plotly_chart import Plotly

    fig = _figure(value)
    converted = matplotlib_to_plotly_json(fig)
    if converted is not None and '"data":[]' not in converted.replace(" ", ""):
        return Plotly.from_json(converted)
    return Image(fig)  # rendered to PNG now, on the figure's thread
