"""Clusterer plots: wandb.sklearn's plot_clusterer, the elbow curve and the silhouette plot."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn.preprocessing import LabelEncoder

from wanllmdb.data_types.table import Table
from wanllmdb.integration.sklearn.checks import array, fitted, inputs_ok, log_chart
from wanllmdb.termlog import termlog

__all__ = ["plot_clusterer", "plot_elbow_curve", "plot_silhouette"]


def plot_clusterer(
    model: Any,
    X_train: Any,
    cluster_labels: Any,
    labels: Any = None,
    model_name: str = "Clusterer",
) -> None:
    """The elbow curve (KMeans only) and the silhouette plot of ``cluster_labels``, the cluster of each
    row of ``X_train``."""
    termlog(f"Plotting {model_name}.")
    if isinstance(model, KMeans):
        plot_elbow_curve(model, X_train)
        termlog("Logged elbow curve.")
        plot_silhouette(model, X_train, cluster_labels, labels=labels, kmeans=True)
    else:
        plot_silhouette(model, X_train, cluster_labels, kmeans=False)
    termlog("Logged silhouette plot.")


def _fit_and_score(clusterer: Any, x: Any, n_clusters: int) -> tuple[float, float]:
    start = time.perf_counter()
    model = clone(clusterer)
    model.n_clusters = n_clusters
    score = model.fit(x).score(x)
    return abs(float(score)), time.perf_counter() - start


def plot_elbow_curve(
    clusterer: Any = None,
    X: Any = None,
    cluster_ranges: Any = None,
    n_jobs: int | None = 1,
    show_cluster_time: bool = True,
) -> None:
    """The clustering error (|score|) of a clone of ``clusterer`` fitted with each number of clusters in
    ``cluster_ranges`` (1, 3, 5, 7, 9 by default), and the time each fit took: rows ``cluster_ranges,
    errors, clustering_time`` under ``elbow_curve``."""
    if not hasattr(clusterer, "n_clusters"):
        termlog("n_clusters attribute not in classifier. Cannot plot elbow method.")
        return
    if not (inputs_ok(clusterer=clusterer, X=X) and fitted(clusterer)):
        return
    ranges = list(range(1, 10, 2)) if cluster_ranges is None else sorted(cluster_ranges)
    features = array(X)
    results = Parallel(n_jobs=n_jobs)(delayed(_fit_and_score)(clusterer, features, k) for k in ranges)
    table = Table(columns=["cluster_ranges", "errors", "clustering_time"])
    for k, (error, seconds) in zip(ranges, results, strict=True):
        table.add_data(int(k), error, seconds)
    log_chart("elbow_curve", "wandb/elbow/v1", table)


def plot_silhouette(
    clusterer: Any = None,
    X: Any = None,
    cluster_labels: Any = None,
    labels: Any = None,
    metric: str = "euclidean",
    kmeans: bool = True,
) -> None:
    """Silhouette coefficients of each sample, sorted within its cluster, beside the samples' first two
    features and (KMeans) the cluster centres: wandb's rows ``x, y, colors, centerx, centery, y_sil, x1,
    x2, color_sil, silhouette_avg`` under ``silhouette_plot``."""
    if not (inputs_ok(clusterer=clusterer, X=X, cluster_labels=cluster_labels) and fitted(clusterer)):
        return
    features = array(X)
    clusters = LabelEncoder().fit_transform(array(cluster_labels))  # clusters 0..k-1, whatever their labels
    average = float(silhouette_score(features, clusters, metric=metric))
    per_sample = silhouette_samples(features, clusters, metric=metric)
    y_sil: list[int] = []
    x_sil: list[float] = []
    color_sil: list[int] = []
    y_lower = 10
    for cluster in range(int(clusters.max()) + 1):
        values = np.sort(per_sample[clusters == cluster])
        y_sil.extend(range(y_lower, y_lower + values.size))
        x_sil.extend(values.tolist())
        color_sil.extend([cluster] * values.size)
        y_lower += values.size + 10  # a gap of 10 between clusters
    if kmeans:
        centers = np.asarray(clusterer.cluster_centers_)
        center_x, center_y = centers[:, 0].tolist(), centers[:, 1].tolist()
    else:
        center_x = center_y = [None] * (int(clusters.max()) + 1)
    table = Table(
        columns=["x", "y", "colors", "centerx", "centery", "y_sil", "x1", "x2", "color_sil", "silhouette_avg"]
    )
    xs, ys, colors = features[:, 0].tolist(), features[:, 1].tolist(), clusters.tolist()
    for i in range(len(color_sil)):
        c = colors[i]
        table.add_data(
            xs[i], ys[i], c, center_x[c], center_y[c], y_sil[i], 0, x_sil[i], color_sil[i], average
        )
    log_chart("silhouette_plot", "wandb/silhouette_/v1", table)
