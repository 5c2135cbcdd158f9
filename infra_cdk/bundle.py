"""Builds each Lambda's deployment folder with pip alone: no Docker engine is needed or used.

`pip install --target DIR --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.12
--implementation cp` fetches Linux wheels from any host, then the `wanllmdb_functions` source and the
schemas it reads at run time (`schemas/lake_schema.json`, `schemas/report.schema.json`) are copied beside
them.

How pyarrow stays out (the query bundle must stay under Lambda's 250 MB unzipped limit, and Polars alone
is ~181 MB): the `wanllmdb` distribution is never installed, only the functions' source is copied, so the
SDK's dependencies (pyarrow first among them) never enter. Each function's requirement list is taken from
the `server` extra in pyproject.toml, minus what Lambda does not run (uvicorn) and minus Polars for the
functions that never touch the lake. pip still resolves those packages' own dependencies, and
`check_bundle` fails the build if pyarrow (or anything else forbidden) slipped in that way, or if a
folder outgrows the limit.

The sweep controller (the runs function) also needs the SDK's search engine: `sdk/wanllmdb/sweeps/` and
`errors.py` are copied under an otherwise empty `wanllmdb/` package, with the engine's own requirements
(PyYAML and jsonschema from the SDK's dependencies, numpy and scipy from the server extra), so the rest of
the SDK and its dependencies stay out there too.

Run `python -m infra_cdk.bundle --out build/lambda` to build every folder and print their sizes; a real
`cdk deploy` calls the same `build_bundle` through CDK local bundling (see lambda_code.py).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from infra_cdk.services import SERVICES, ServiceSpec, service

__all__ = [
    "FORBIDDEN_PACKAGES",
    "LAMBDA_UNZIPPED_LIMIT",
    "REPO_ROOT",
    "RUNTIME_PROVIDED",
    "BundleError",
    "build_bundle",
    "bundle_fingerprint",
    "check_bundle",
    "copy_sources",
    "pip_command",
    "requirements_for",
    "runtime_dir",
    "slim",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_PACKAGE = REPO_ROOT / "functions" / "wanllmdb_functions"
SDK_PACKAGE = REPO_ROOT / "sdk" / "wanllmdb"
LAKE_SCHEMA = REPO_ROOT / "schemas" / "lake_schema.json"
# The schemas the functions load at run time (lake/keys.py, reports/spec.py), from `schemas/` beside the
# package.
RUNTIME_SCHEMAS = ("lake_schema.json", "report.schema.json")

PYTHON_VERSION = "3.12"
# Lambda's python3.12 runtime is Amazon Linux 2023 (glibc 2.34), so manylinux_2_28 wheels run there too;
# pip needs both tags because some projects now publish only the newer one.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
# Lambda's limit for a function's code and layers, unzipped.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024

_LOCAL_ONLY = frozenset({"uvicorn"})
# The GCS and Azure blob stores' client (adapters/obstore_blobs.py): a tenant on AWS keeps its lake in S3.
_SELF_HOSTED_ONLY = frozenset({"obstore"})
# Lambda's Python runtime provides the AWS SDK; a bundle leaves its own copy out (about 33 MiB, most of
# a lake function's margin under the 250 MiB limit once Polars and numpy are in). They are installed
# beside the bundle, not in it, so the smoke import still proves the handler loads with them.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
# Only the report and sign-in routes use these (sanitising, markdown, CRDTs, OIDC tokens, and the
# cryptography joserfc brings): the lake functions (Polars) serve neither, and theirs are the bundles
# with the least room under the limit.
_NOT_IN_LAKE_FUNCTIONS = frozenset({"nh3", "pycrdt", "markdown-it-py", "mdit-py-plugins", "joserfc"})
# Never loaded by a running function: packages' own test suites and type stubs (about 13 MiB).
_NOT_RUN = ("tests", "*.pyi")
_LAKE_ONLY = frozenset({"polars", "sqlglot"})
# The Chromium printer's DevTools client: only the functions with a browser in their image use it.
_PRINTER_ONLY = frozenset({"websockets"})
# numpy: the lake's pyramid sums (lake/blocks.py) and the sweep engine both use it.
_NUMERIC = frozenset({"numpy"})
_SWEEP_ENGINE_ONLY = frozenset({"scipy", "threadpoolctl"})
# The SDK dependencies the search engine imports (it validates and parses sweep configs).
_SWEEP_ENGINE_SDK_DEPS = frozenset({"pyyaml", "jsonschema"})
# The only SDK modules a bundle carries, under a `wanllmdb/__init__.py` of its own (the SDK's would import
# the whole SDK, pyarrow first).
_SWEEP_ENGINE_MODULES = ("sweeps", "errors.py")
_ENGINE_ONLY_INIT = '"""Only the sweep search engine (infra_cdk/bundle.py): no SDK."""\n'
FORBIDDEN_PACKAGES = frozenset({"pyarrow"})


class BundleError(RuntimeError):
    """A bundle could not be built or breaks a limit; the message says which and why."""


def _dist_name(requirement: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise BundleError(f"cannot read a package name from requirement {requirement!r} in pyproject.toml")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def requirements_for(spec: ServiceSpec, *, pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The function's explicit requirement list: the server extra, trimmed to what this function runs."""
    project = tomllib.loads(pyproject.read_text())["project"]
    extras = project["optional-dependencies"]
    selected: list[str] = []
    engine_deps = [r for r in project.get("dependencies", []) if _dist_name(r) in _SWEEP_ENGINE_SDK_DEPS]
    seen: set[str] = set()
    for requirement in [*extras["server"], *(engine_deps if spec.needs_sweep_engine else [])]:
        name = _dist_name(requirement)
        if name in seen:  # jsonschema is both a server and an SDK dependency
            continue
        seen.add(name)
        if (
            name in _LOCAL_ONLY
            or name in _SELF_HOSTED_ONLY
            or (name in _NOT_IN_LAKE_FUNCTIONS and spec.needs_polars)
            or (name in _LAKE_ONLY and not spec.needs_polars)
            or (name in _SWEEP_ENGINE_ONLY and not spec.needs_sweep_engine)
            or (name in _NUMERIC and not (spec.needs_polars or spec.needs_sweep_engine))
            or (name in _PRINTER_ONLY and spec.package != "image")
        ):
            continue
        if name in FORBIDDEN_PACKAGES:
            raise BundleError(
                f"pyproject.toml server extra lists {name}, which Lambda bundles must not carry"
            )
        selected.append(requirement)
    return selected


def pip_command(requirements: Sequence[str], target: Path) -> list[str]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--target",
        str(target),
        *platforms,
        "--only-binary=:all:",
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--upgrade",
        "--no-compile",
        "--disable-pip-version-check",
        "--quiet",
        *requirements,
    ]


def _package_files(root: Path, name: str) -> Iterable[tuple[str, Path]]:
    paths = sorted(root.rglob("*")) if root.is_dir() else [root]
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            relative = path.relative_to(root).as_posix() if root.is_dir() else ""
            yield f"{name}/{relative}".rstrip("/"), path


def _source_files(spec: ServiceSpec | None = None) -> Iterable[tuple[str, Path]]:
    yield from _package_files(FUNCTIONS_PACKAGE, "wanllmdb_functions")
    for name in RUNTIME_SCHEMAS:
        yield f"schemas/{name}", REPO_ROOT / "schemas" / name
    if spec is not None and spec.needs_sweep_engine:
        for module in _SWEEP_ENGINE_MODULES:
            yield from _package_files(SDK_PACKAGE / module, f"wanllmdb/{module}")


def bundle_fingerprint(spec: ServiceSpec) -> str:
    """Changes exactly when the bundle's inputs change, so CDK reuses a built asset across synths."""
    digest = hashlib.sha256()
    for part in (spec.name, PYTHON_VERSION, *PLATFORMS, *requirements_for(spec)):
        digest.update(part.encode() + b"\0")
    for name, path in _source_files(spec):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_bundle(spec: ServiceSpec, out_dir: Path) -> int:
    """Fill `out_dir` with the function's dependencies and code; returns its unzipped size in bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(pip_command(requirements_for(spec), out_dir), capture_output=True, text=True)
    if result.returncode != 0:
        raise BundleError(f"pip could not bundle the {spec.name} function:\n{result.stderr.strip()}")
    slim(out_dir, runtime_dir(out_dir))
    copy_sources(out_dir, spec)
    return check_bundle(spec, out_dir)


def runtime_dir(out_dir: Path) -> Path:
    """Where the packages Lambda's runtime provides go, beside the bundle (for the smoke import)."""
    return out_dir.with_name(out_dir.name + ".runtime")


def slim(out_dir: Path, runtime: Path) -> None:
    """Move what Lambda's runtime provides out of the bundle, and drop what never runs."""
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir(parents=True)
    for entry in list(out_dir.iterdir()):
        top = re.split(r"[-.]", entry.name, maxsplit=1)[0].lower()
        if top in RUNTIME_PROVIDED:
            shutil.move(str(entry), runtime / entry.name)
    for pattern in _NOT_RUN:
        for path in list(out_dir.rglob(pattern)):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def copy_sources(out_dir: Path, spec: ServiceSpec | None = None) -> None:
    """The code half of a bundle: `wanllmdb_functions/` and its run-time `schemas/` at its root, and
    for a function that runs the sweep engine, `wanllmdb/sweeps/` under an engine-only `wanllmdb/`."""
    for name, path in _source_files(spec):
        dest = out_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    if spec is not None and spec.needs_sweep_engine:
        (out_dir / "wanllmdb" / "__init__.py").write_text(_ENGINE_ONLY_INIT)


def check_bundle(spec: ServiceSpec, out_dir: Path) -> int:
    """Refuse a bundle that carries a forbidden package or exceeds Lambda's unzipped limit."""
    present = {_dist_name(p.name.split("-")[0]) for p in out_dir.glob("*.dist-info")}
    present |= {p.name.lower() for p in out_dir.iterdir() if p.is_dir()}
    leaked = sorted(FORBIDDEN_PACKAGES & present)
    if leaked:
        raise BundleError(
            f"the {spec.name} bundle contains {', '.join(leaked)}; a requirement pulled it in "
            "as a dependency. Drop that requirement for this function or pin a version that does not need it."
        )
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file() and not p.is_symlink())
    if size > LAMBDA_UNZIPPED_LIMIT:
        raise BundleError(
            f"the {spec.name} bundle is {size / 2**20:.1f} MiB unzipped, over Lambda's "
            f"{LAMBDA_UNZIPPED_LIMIT / 2**20:.0f} MiB limit"
        )
    return size


def smoke_import(spec: ServiceSpec, out_dir: Path, python: str) -> str:
    """Import the handler from the bundle alone (`-S`: no site-packages) under a CPython 3.12, which proves
    the bundle carries every module the handler imports. Returns what happened, for the build log."""
    module = spec.handler.rsplit(".", 1)[0]
    if not (out_dir / (module.replace(".", "/") + ".py")).is_file():
        return f"skipped: {module} is not written yet"
    env = {
        "PYTHONPATH": f"{out_dir}:{runtime_dir(out_dir)}",
        "WANLLMDB_BACKEND": "aws",
        "WANLLMDB_TABLE": "smoke-table",
        "WANLLMDB_BUCKET": "smoke-bucket",
        "WANLLMDB_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    code = f"import importlib; getattr(importlib.import_module({module!r}), 'handler')"
    result = subprocess.run([python, "-S", "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BundleError(f"the {spec.name} bundle cannot import its handler:\n{result.stderr.strip()}")
    return f"ok: imported {spec.handler}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "lambda")
    parser.add_argument("--only", action="append", help="build only this function (repeatable)")
    parser.add_argument("--smoke-python", help="a CPython 3.12 to import each handler from its bundle with")
    args = parser.parse_args(argv)
    specs = [service(name) for name in args.only] if args.only else list(SERVICES)
    for spec in specs:
        target = args.out / spec.name
        shutil.rmtree(target, ignore_errors=True)
        size = build_bundle(spec, target)
        smoke = smoke_import(spec, target, args.smoke_python) if args.smoke_python else ""
        print(f"{spec.name:<11} {size / 2**20:7.1f} MiB  {target}  {smoke}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
