"""The policy check with resource grants: p95 of authorizing one run when the tenant holds 1,000
grants, against a project-only check of the same run in the same run of this script.

    python benchmarks/policy.py [--grants 1000] [--checks 2000]

In-process on the local backend (SQLite): one project with 100 runs, GRANTS grants spread over them
(users, teams, an organization; a tenth of them denies). The grant check is what every run route
does (`authorized_run_item`: the project, the run's grants in one query, the policy function); the
baseline reads the same project and run and calls the policy on the project alone.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "functions"))
sys.path.insert(0, str(REPO / "benchmarks"))

from _server import percentile  # noqa: E402

from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore  # noqa: E402
from wanllmdb_functions.core.caller import Caller  # noqa: E402
from wanllmdb_functions.core.policy import Permission, authorize  # noqa: E402
from wanllmdb_functions.identity.users import UserService  # noqa: E402
from wanllmdb_functions.projects import keys as project_keys  # noqa: E402
from wanllmdb_functions.projects.models import ProjectCreate  # noqa: E402
from wanllmdb_functions.projects.service import ProjectService  # noqa: E402
from wanllmdb_functions.runs.lookup import authorized_run_item, run_in_project  # noqa: E402
from wanllmdb_functions.runs.models import RunCreate  # noqa: E402
from wanllmdb_functions.runs.service import RunService  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grants", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        from wanllmdb_functions.core.settings import Settings

        items = SqliteItemStore(Path(tmp) / "items.db")
        user = UserService(items).create("alice", password=None, is_admin=False)
        caller = Caller(user_id=user.id, username="alice", is_admin=False, key_id=None, via="api_key")
        project, _ = ProjectService(items).create(caller, ProjectCreate(name="p"))
        runs = RunService(items, None, Settings(data_dir=Path(tmp)))  # type: ignore[arg-type]
        run_ids = [f"r{i}" for i in range(100)]
        for run_id in run_ids:
            runs.create(caller, project.id, RunCreate(id=run_id))
        for i in range(args.grants):
            principal = rng.choice(["user:alice", f"user:u{i}", f"team:t{i % 20}", "org:acme"])
            pk, sk = project_keys.grant(project.id, "run", rng.choice(run_ids), f"{principal}#{i}")
            items.put(
                {
                    "pk": pk,
                    "sk": sk,
                    "kind": "run",
                    "principal": principal,
                    "effect": "deny" if i % 10 == 0 else "allow",
                    "permissions": ["run:read"],
                }
            )
        with_grants, project_only = [], []
        projects = ProjectService(items)
        for _ in range(args.checks):
            run_id = rng.choice(run_ids)
            t0 = time.perf_counter()
            with contextlib.suppress(Exception):  # a deny on run:read hides the run: still a full check
                authorized_run_item(
                    items, projects, caller, run_id, Permission.RUN_WRITE, project_id=project.id
                )
            with_grants.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run_in_project(items, project.id, run_id)
            authorize(caller, Permission.RUN_WRITE, projects.get_ref(project.id))
            project_only.append(time.perf_counter() - t0)
    g, p = percentile(with_grants, 95), percentile(project_only, 95)
    print(
        f"policy check p95 with {args.grants} grants: {g * 1e6:.0f} us; project-only: {p * 1e6:.0f} us; "
        f"x{g / p:.2f} ({args.checks} checks each)"
    )


if __name__ == "__main__":
    main()
