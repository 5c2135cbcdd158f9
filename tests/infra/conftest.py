"""Synthesizes the tenant stack once per test session (jsii synthesis takes seconds, not milliseconds).

Always in synth-check mode (`bundle=false`): assets are the bare source tree, so no test downloads wheels.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is slow: jsii synthesis, cdk-nag or a bundle build (`make test-fast` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.slow)


@dataclass
class Synthesized:
    template: dict[str, Any]
    messages: list[tuple[str, str, str]]  # (level, construct path, text)
    nag_rows: list[dict[str, str]]
    outdir: Path
    resources: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.resources = self.template["Resources"]

    def of_type(self, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == cfn_type}

    def one(self, cfn_type: str) -> dict[str, Any]:
        found = list(self.of_type(cfn_type).values())
        assert len(found) == 1, f"expected one {cfn_type}, found {len(found)}"
        return found[0]


# The SES sender of the default synth (`-c email_from=`), which the IAM tour sends from too.
EMAIL_FROM = "ml-alerts@example.com"


def synthesize(outdir: Path, *, web_dist: Path, **context: str) -> Synthesized:
    from aws_cdk import App

    from infra_cdk.app import build_app

    feature_flags = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    app = App(context={**feature_flags, "tenant": "acme", "bundle": "false", **context}, outdir=str(outdir))
    stack = build_app(app, web_dist=web_dist)
    assembly = app.synth()
    artifact = assembly.get_stack_by_name(stack.stack_name)
    messages = [(str(m.level.name), m.id, str(m.entry.data)) for m in artifact.messages]
    (report,) = outdir.glob("AwsSolutions-*NagReport.csv")
    with report.open() as fh:
        nag_rows = list(csv.DictReader(fh))
    return Synthesized(template=artifact.template, messages=messages, nag_rows=nag_rows, outdir=outdir)


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default deploy shape (data retained), with a built web app to deploy, sending email."""
    web_dist = tmp_path_factory.mktemp("web-dist")
    (web_dist / "index.html").write_text("<!doctype html><title>wanLLMDB</title>")
    return synthesize(tmp_path_factory.mktemp("cdk.out"), web_dist=web_dist, email_from=EMAIL_FROM)


@pytest.fixture(scope="session")
def synth_destroy(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """`-c destroy_data=true`, and no web/dist built."""
    return synthesize(
        tmp_path_factory.mktemp("cdk.out-destroy"),
        web_dist=tmp_path_factory.mktemp("empty-web-dist"),
        destroy_data="true",
        alarm_email="ops@example.com",
    )
