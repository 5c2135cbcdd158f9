"""The container image of the functions that need a browser (ServiceSpec.package == "image").

Synthesis stages the build context in a temporary folder: functions/pdf_image/ (the Dockerfile and the
Chromium launcher), the function's requirement list (`bundle.requirements_for`, the same as its zip
would carry) and the code a bundle carries (`bundle.copy_sources`). CDK copies that folder into
cdk.out as an image asset; synthesis builds nothing and downloads nothing, while `cdk deploy` builds
the image with Docker and pushes it to the bootstrap repository.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_

from infra_cdk.bundle import REPO_ROOT, copy_sources, requirements_for
from infra_cdk.services import ServiceSpec

__all__ = ["IMAGE_SOURCE", "image_code", "stage_image_context"]

IMAGE_SOURCE = REPO_ROOT / "functions" / "pdf_image"
_LAUNCHER = "chromium"


def stage_image_context(spec: ServiceSpec, out_dir: Path) -> Path:
    """Fill `out_dir` with the image's build context; returns it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_sources(out_dir, spec)
    (out_dir / "requirements.txt").write_text("\n".join(requirements_for(spec)) + "\n")
    shutil.copy2(IMAGE_SOURCE / "Dockerfile", out_dir / "Dockerfile")
    shutil.copy2(IMAGE_SOURCE / _LAUNCHER, out_dir / _LAUNCHER)
    # COPY keeps the mode: the launcher must run whatever a checkout did to its bits. World-readable
    # and executable on purpose: Lambda runs the image as a user of its own.
    os.chmod(out_dir / _LAUNCHER, 0o755)  # noqa: S103
    return out_dir


def image_code(spec: ServiceSpec) -> lambda_.DockerImageCode:
    staged = Path(tempfile.mkdtemp(prefix=f"wanllmdb-{spec.name}-image-"))
    # CDK copies the context into cdk.out during synthesis; the staging folder is not needed after.
    atexit.register(shutil.rmtree, staged, ignore_errors=True)
    stage_image_context(spec, staged)
    return lambda_.DockerImageCode.from_image_asset(
        str(staged),
        # The handler is the spec's, as for zip functions; the Dockerfile's CMD says the same.
        cmd=[spec.handler],
        # x86_64, as every function: Debian's Chromium and the wheels pip picks match it.
        platform=ecr_assets.Platform.LINUX_AMD64,
        exclude=["**/__pycache__", "**/*.pyc"],
    )
