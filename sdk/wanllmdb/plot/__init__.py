"""``wanllmdb.plot``: wandb's chart helpers with wandb's signatures. Each returns a ``CustomChart`` (a
table plus its panel) to pass to ``run.log``; the dashboard draws the matching chart."""

from __future__ import annotations

from wanllmdb.plot.charts import bar, histogram, line, line_series, scatter
from wanllmdb.plot.classification import confusion_matrix, pr_curve, roc_curve
from wanllmdb.plot.custom_chart import CustomChart, CustomChartSpec, plot_table

__all__ = [
    "CustomChart",
    "CustomChartSpec",
    "bar",
    "confusion_matrix",
    "histogram",
    "line",
    "line_series",
    "plot_table",
    "pr_curve",
    "roc_curve",
    "scatter",
]
