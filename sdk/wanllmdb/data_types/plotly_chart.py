"""``Plotly``: a plotly figure stored as its plotly JSON (``{"data": [...], "layout": {...}}``), drawn by
plotly.js in the dashboard. The JSON is taken in the constructor, so later changes to the figure do
not reach what was logged (wandb does the same).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from wanllmdb.data_types.base import Encoded, FileMedia, describe
from wanllmdb.errors import InvalidValue

__all__ = ["Plotly"]

_ACCEPTED = "a plotly figure (plotly.graph_objects.Figure), its dict form, or a matplotlib figure"


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{describe(value)} is not JSON serialisable")


class Plotly(FileMedia):
    """``wandb.Plotly(val)``."""

    _type: ClassVar[str] = "plotly-file"
    _dir: ClassVar[str | None] = "plotly"

    def __init__(self, val: Any) -> None:
        module = type(val).__module__ or ""
        if module.startswith("matplotlib"):
            from wanllmdb.data_types.figures import matplotlib_to_plotly_json

            converted = matplotlib_to_plotly_json(val)
            if converted is None:
                raise InvalidValue(
                    "Plotly: this matplotlib figure cannot be converted to plotly; "
                    "log it as wanllmdb.Image(fig)"
                )
            self._json = converted
        elif module.startswith("plotly") and hasattr(val, "to_json"):
            self._json = val.to_json()
        elif isinstance(val, Mapping) and "data" in val:
            try:
                self._json = json.dumps(val, default=_default, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError) as e:
                raise InvalidValue(
                    f"Plotly: the figure dict is not plotly JSON ({e}); accepted: {_ACCEPTED}"
                ) from None
        else:
            raise InvalidValue(f"Plotly: got {describe(val)}; accepted: {_ACCEPTED}")

    @classmethod
    def from_json(cls, plotly_json: str) -> Plotly:
        """A chart from plotly JSON text (what ``fig.to_json()`` returns)."""
        return cls(json.loads(plotly_json))

    def _encode(self) -> Encoded:
        return Encoded(data=self._json.encode("utf-8"), ext="plotly.json", fields={})
