"""Lambda code assets in the two modes the app knows.

- Bundled (default, for deploys): CDK *local* bundling runs `bundle.build_bundle` (pip with Linux wheel
  tags) on this machine. The Docker image named below is a placeholder CDK's API requires; the local
  bundler always either succeeds or raises, so CDK never falls back to Docker.
- Synth-check (`-c bundle=false`, for tests and `make cdk-synth`): the asset is the bare
  `functions/` source tree, so synthesis downloads nothing. Such a template is not deployable: the stack
  carries a CloudFormation Rule whose assertion always fails, so CloudFormation refuses the change set
  with a message that says to synthesize with bundling.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    Annotations,
    AssetHashType,
    BundlingOptions,
    CfnRule,
    CfnRuleAssertion,
    DockerImage,
    Fn,
    ILocalBundling,
    Stack,
)
from aws_cdk import aws_lambda as lambda_

from infra_cdk.bundle import REPO_ROOT, build_bundle, bundle_fingerprint, smoke_import
from infra_cdk.services import ServiceSpec

__all__ = ["SYNTH_CHECK_MESSAGE", "refuse_deploy_of_synth_check", "service_code"]

FUNCTIONS_DIR = REPO_ROOT / "functions"

SYNTH_CHECK_MESSAGE = (
    "This template was synthesized with -c bundle=false (synth-check mode): its Lambda code has no "
    "dependencies and cannot run. Deploy with `cdk deploy -c tenant=NAME` (bundling on, the default)."
)


@jsii.implements(ILocalBundling)
class _PipBundler:
    """Runs pip on the synthesizing machine instead of in a container."""

    def __init__(self, spec: ServiceSpec) -> None:
        self._spec = spec

    # The bundling options (image, command, ...) describe the Docker fallback; pip needs none of them.
    def try_bundle(self, output_dir: str, *, image: DockerImage, **options: Any) -> bool:
        build_bundle(self._spec, Path(output_dir))
        # Lambda's own interpreter version, when this machine has one, proves the handler imports from the
        # bundle alone before anything is uploaded.
        python312 = shutil.which("python3.12")
        if python312:
            print(
                f"{self._spec.name}: {smoke_import(self._spec, Path(output_dir), python312)}", file=sys.stderr
            )
        return True


def service_code(spec: ServiceSpec, *, bundle: bool) -> lambda_.Code:
    if not bundle:
        return lambda_.Code.from_asset(
            str(FUNCTIONS_DIR), exclude=["**/__pycache__", "**/*.pyc", "*.egg-info"]
        )
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        # The fingerprint covers the requirement list, wheel tags, function source and lake schema, so an
        # unchanged bundle is reused from cdk.out instead of being rebuilt on every synth.
        asset_hash=bundle_fingerprint(spec),
        asset_hash_type=AssetHashType.CUSTOM,
        bundling=BundlingOptions(
            image=DockerImage.from_registry("local-pip-bundling-only"),
            local=_PipBundler(spec),
        ),
    )


def refuse_deploy_of_synth_check(stack: Stack) -> None:
    """Make a synth-check template fail at change-set creation, before any resource is touched."""
    CfnRule(
        stack,
        "RefuseSynthCheckDeploy",
        assertions=[
            CfnRuleAssertion(
                assert_=Fn.condition_equals("synth-check", "bundled"),
                assert_description=SYNTH_CHECK_MESSAGE,
            )
        ],
    )
    Annotations.of(stack).add_warning_v2("wanllmdb:synth-check", SYNTH_CHECK_MESSAGE)
