"""scikit-learn: wandb's ``wandb.sklearn`` plots, under wandb's names and arguments.

Each ``plot_*`` computes a table (wandb's columns) and logs it to the active run as a chart with wandb's
preset id (``wandb/feature_importances/v1``, ...), through ``wanllmdb.plot``: the rows go to
``<key>_table`` and the panel to ``config._wandb.visualize.<key>``, where the dashboard draws it. The
keys are wandb's: ``feature_importances``, ``confusion_matrix``, ``summary_metrics``,
``class_proportions``, ``calibration_curve``, ``roc``, ``precision_recall``, ``learning_curve``,
``residuals``, ``outlier_candidates``, ``elbow_curve``, ``silhouette_plot``.

As in wandb, an input that cannot be plotted (a missing array, an unfitted model, a regressor where a
classifier is needed) is reported with ``termerror`` and its chart skipped, so one bad chart never
stops the others. Unlike wandb, no chart is cut to 1,000 rows, and no plot refits the model passed in
(residuals, outlier candidates and calibration fit a clone).

Imports scikit-learn: ``import wanllmdb`` does not; ``wanllmdb.sklearn`` loads this on first use.
"""

from wanllmdb.integration._framework import Supported, require_framework

require_framework(
    "sklearn", integration="sklearn", extra="sklearn", supported=Supported((1, 0), (2,)), name="scikit-learn"
)

from wanllmdb.integration.sklearn.classifier import (  # noqa: E402
    plot_calibration_curve,
    plot_class_proportions,
    plot_classifier,
    plot_confusion_matrix,
    plot_feature_importances,
    plot_precision_recall,
    plot_roc,
)
from wanllmdb.integration.sklearn.clusterer import plot_clusterer, plot_elbow_curve, plot_silhouette  # noqa: E402
from wanllmdb.integration.sklearn.evaluation import plot_learning_curve, plot_summary_metrics  # noqa: E402
from wanllmdb.integration.sklearn.regressor import (  # noqa: E402
    plot_outlier_candidates,
    plot_regressor,
    plot_residuals,
)

__all__ = [
    "plot_calibration_curve",
    "plot_class_proportions",
    "plot_classifier",
    "plot_clusterer",
    "plot_confusion_matrix",
    "plot_elbow_curve",
    "plot_feature_importances",
    "plot_learning_curve",
    "plot_outlier_candidates",
    "plot_precision_recall",
    "plot_regressor",
    "plot_residuals",
    "plot_roc",
    "plot_silhouette",
    "plot_summary_metrics",
]
