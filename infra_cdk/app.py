"""CDK entry point: `cdk deploy -c tenant=acme` (cdk.json runs `python3 -m infra_cdk.app`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aws_cdk import App, Aspects, Environment
from cdk_nag import AwsSolutionsChecks

from infra_cdk.config import ConfigError, TenantConfig
from infra_cdk.site import WEB_DIST
from infra_cdk.tenant_stack import TenantStack

__all__ = ["build_app"]


def build_app(app: App, *, web_dist: Path = WEB_DIST) -> TenantStack:
    config = TenantConfig.from_context(app.node.try_get_context)
    stack = TenantStack(
        app,
        config.stack_name,
        config=config,
        web_dist=web_dist,
        env=Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
        ),
    )
    # Every synth (and so every deploy) is checked; an unsuppressed finding fails `cdk synth`.
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stack


def main() -> None:
    app = App()
    try:
        build_app(app)
    except ConfigError as exc:
        sys.exit(f"wanllmdb cdk: {exc}")
    app.synth()


if __name__ == "__main__":
    main()
