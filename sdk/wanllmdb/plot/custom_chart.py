"""``CustomChart`` and ``plot_table``: a table plus the panel that draws it, logged the way wandb logs one.

``run.log({"acc": chart})`` stores the table under ``acc_table`` (``Custom Chart Tables/acc_table`` with
``split_table``) and the panel under the run config's ``_wandb.visualize.acc``: the preset id (e.g.
``wandb/line/v0``), the field mapping and the string settings, in wandb's shape, so exports and code
that reads ``_wandb.visualize`` see what they expect. The dashboard draws the matching chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wanllmdb.data_types.table import Table
from wanllmdb.errors import InvalidValue

__all__ = ["CustomChart", "CustomChartSpec", "plot_table"]

SPLIT_TABLE_SECTION = "Custom Chart Tables"


@dataclass
class CustomChartSpec:
    spec_name: str
    fields: dict[str, Any]
    string_fields: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    panel_type: str = "Vega2"
    split_table: bool = False

    @property
    def table_key(self) -> str:
        if not self.key:
            raise InvalidValue("the chart has no key yet: log it with run.log({key: chart})")
        return f"{SPLIT_TABLE_SECTION}/{self.key}_table" if self.split_table else f"{self.key}_table"

    @property
    def config_value(self) -> dict[str, Any]:
        """The panel as wandb keeps it under ``_wandb.visualize.<key>``."""
        return {
            "panel_type": self.panel_type,
            "panel_config": {
                "panelDefId": self.spec_name,
                "fieldSettings": self.fields,
                "stringSettings": self.string_fields,
                "transform": {"name": "tableWithLeafColNames"},
                "userQuery": {
                    "queryFields": [
                        {
                            "name": "runSets",
                            "args": [{"name": "runSets", "value": "${runSets}"}],
                            "fields": [
                                {"name": "id", "fields": []},
                                {"name": "name", "fields": []},
                                {"name": "_defaultColorIndex", "fields": []},
                                {
                                    "name": "summaryTable",
                                    "args": [{"name": "tableKey", "value": self.table_key}],
                                    "fields": [],
                                },
                            ],
                        }
                    ]
                },
            },
        }


@dataclass
class CustomChart:
    table: Table
    spec: CustomChartSpec

    def set_key(self, key: str) -> None:
        self.spec.key = key


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: dict[str, Any],
    string_fields: dict[str, Any] | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A chart of preset ``vega_spec_name`` over ``data_table``; ``fields`` maps the preset's fields to
    the table's columns, each of which must exist."""
    if not isinstance(data_table, Table):
        raise InvalidValue(
            f"plot_table: data_table must be a wanllmdb.Table, got {type(data_table).__name__}"
        )
    if not isinstance(vega_spec_name, str) or not vega_spec_name:
        raise InvalidValue("plot_table: vega_spec_name must be a preset id such as 'wandb/line/v0'")
    missing = [f"{name}={column!r}" for name, column in fields.items()
               if column is not None and column not in data_table.columns]  # fmt: skip
    if missing:
        raise InvalidValue(
            f"plot_table: fields {', '.join(missing)} name no column of the table; its columns are "
            f"{data_table.columns}"
        )
    return CustomChart(
        table=data_table,
        spec=CustomChartSpec(
            vega_spec_name, dict(fields), dict(string_fields or {}), split_table=split_table
        ),
    )
