"""The answer of `GET /sweeps/{sweep_id}/analysis` (docs/sweeps.md, "Analysis")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "AnalysisMethod",
    "BestParams",
    "CategoryStat",
    "ParamAnalysis",
    "ParamRange",
    "SweepAnalysis",
    "TrialCounts",
]


class CategoryStat(BaseModel):
    value: Any = Field(description="The category as the config lists it (False, 0 and '' are three).")
    label: str = Field(description="The value as text, for display.")
    count: int = Field(description="Trials with a metric value that took this category.")
    top_share: float = Field(description="Share of the top trials that took it (0..1).")
    correlation: float | None = Field(
        description="Spearman correlation of 'took this category' (0/1) with the metric; null when constant."
    )


class ParamAnalysis(BaseModel):
    name: str = Field(description="The parameter's path in the run config, dotted: `optimizer.lr`.")
    distribution: str
    kind: Literal["numeric", "categorical"]
    log: bool = Field(description="Searched, binned and summarised in log space.")
    importance: float = Field(
        description="PED-ANOVA importance beyond chance (`importance_raw - importance_chance`, at least 0), "
        "as a share of the parameters' total (0..1)."
    )
    importance_raw: float = Field(
        description="PED-ANOVA importance, as Optuna computes it, before normalising."
    )
    importance_chance: float = Field(
        description="The mean PED-ANOVA importance of random top sets of the same size: what the parameter "
        "scores by chance with this many trials."
    )
    correlation: float | None = Field(
        description="Spearman correlation with the metric, over numeric values (categoricals of numbers or "
        "booleans included); null for unordered categories (see `categories`) or a constant column."
    )
    n: int = Field(description="Trials with both this parameter and a metric value.")
    categories: list[CategoryStat] = Field(default_factory=list)


class ParamRange(BaseModel):
    name: str
    value: Any = Field(description="The best trial's value.")
    low: float | None = Field(default=None, description="Numeric: the smallest value among the top trials.")
    high: float | None = Field(default=None, description="Numeric: the largest value among the top trials.")
    median: float | None = Field(
        default=None,
        description="Numeric: the median of the top trials (geometric for log-scale parameters).",
    )
    shares: list[CategoryStat] = Field(
        default_factory=list,
        description="Categorical: each category's share of the top trials, largest first.",
    )


class BestParams(BaseModel):
    run_id: str
    run_name: str | None
    value: float = Field(description="The best trial's metric value.")
    params: dict[str, Any] = Field(description="The best trial's parameters, nested as its config.")
    top_trials: int = Field(description="How many trials the ranges are taken over.")
    top_value: float = Field(description="The metric value of the worst of the top trials.")
    ranges: list[ParamRange] = Field(description="Per parameter, in the order of `parameters` (importance).")


class TrialCounts(BaseModel):
    total: int = Field(description="Trials of the sweep, prior runs included.")
    used: int = Field(description="Trials with a metric value, observed or imputed.")
    imputed: int = Field(description="Failed, crashed or stopped trials valued by `metric.impute`.")
    excluded: int = Field(description="Pending and running trials, and ended ones with nothing to impute.")


class AnalysisMethod(BaseModel):
    importance: Literal["ped-anova"] = "ped-anova"
    target_quantile: float = Field(
        description="PED-ANOVA's gamma': the share of trials that counts as 'top'."
    )
    region_quantile: float = Field(
        description="PED-ANOVA's gamma: the share of trials it compares them with."
    )
    chance_draws: int = Field(description="Random top sets drawn to estimate each `importance_chance`.")
    correlation: Literal["spearman"] = "spearman"
    recommendation: str = Field(description="How `best` and its ranges are chosen, in a sentence.")


class SweepAnalysis(BaseModel):
    sweep_id: str
    metric: dict[str, Any] | None = Field(description="The sweep's metric: name and goal; null without one.")
    trials: TrialCounts
    parameters: list[ParamAnalysis] = Field(description="Most important first; constants are left out.")
    best: BestParams | None
    method: AnalysisMethod
    note: str | None = Field(
        default=None, description="Why the analysis is empty or rough: no metric, or too few trials."
    )
