"""Write or check schemas/openapi.json: the OpenAPI document of the local app with every router.

python -m tools.openapi_snapshot --write   # what `make openapi` runs
python -m tools.openapi_snapshot --check   # exit 1 when the snapshot has drifted
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SNAPSHOT_PATH", "current_spec", "render"]

SNAPSHOT_PATH = Path(__file__).resolve().parents[1] / "schemas" / "openapi.json"


def current_spec() -> dict[str, Any]:
    """The document the local server serves at /api/openapi.json, built without starting it."""
    from wanllmdb_functions.core.settings import Settings
    from wanllmdb_functions.local_server import build_local_app

    logging.getLogger("wanllmdb.server").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as data_dir:
        app = build_local_app(Settings(data_dir=Path(data_dir), web_dist=Path(data_dir)), owns_process=False)
        return app.openapi()


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the snapshot")
    mode.add_argument("--check", action="store_true", help="fail when the snapshot differs from the code")
    parser.add_argument("--path", type=Path, default=SNAPSHOT_PATH)
    args = parser.parse_args(argv)
    text = render(current_spec())
    if args.write:
        args.path.write_text(text)
        print(f"wrote {args.path}")
        return 0
    if not args.path.is_file() or args.path.read_text() != text:
        print(
            f"{args.path} is out of date with the routes: run `make openapi` and commit it", file=sys.stderr
        )
        return 1
    print(f"{args.path} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
