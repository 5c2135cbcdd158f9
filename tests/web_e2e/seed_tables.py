"""Seeds a running server with logged Tables, wandb.plot charts and sweeps of runs for the browser
test of the table viewer and the custom charts (web/tests/e2e/tables.e2e.ts, charts12.e2e.ts).

Through the real SDK (wanllmdb.init / log / finish), in project `tables-e2e`:
- run `eval-a`: `eval/preds` (300 rows: id, label, score, correct, and an `image` on every tenth
  row), `eval/big` (1,000,000 rows: idx, x, label), `chart/data` (200 rows covering every chart
  type: a 20 x 10 grid x, y, z; group, size, country, src -> dst -> flow as a DAG),
  `chart/points` (100,000 scatter points), `chart/parallel` (10,000 rows of five columns) and
  every wandb.plot helper (line, scatter, bar, histogram, line_series, roc_curve, pr_curve,
  confusion_matrix).
- run `eval-b`: `eval/preds` with the same ids and other scores, to compare and join.
In project `sweep-e2e`, `--sweep` runs (default 12) created over the REST API with config lr,
layers, dropout, optimizer and summary acc, loss: the runs that parallel coordinates brush.
With `--big-sweep N`, project `sweep-10k` gets N runs (config only), for the 10,000-run timing.
`--light` leaves out the three large tables (eval/big, chart/points, chart/parallel), which only
the timings read.

    python tests/web_e2e/seed_tables.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key

The last line on stdout is JSON like seed.py's, plus `sweep` (its runs) and `big_sweep_project`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import api_key, session_token

LABELS = ["cat", "dog", "bird"]
COUNTRIES = [
    "France", "Germany", "Brazil", "India", "China", "Japan", "Canada", "Australia", "Kenya", "Mexico",
    "United States of America", "Argentina", "Spain", "Italy", "Nigeria", "Egypt", "Norway", "Peru",
    "Chile", "Russia",
]  # fmt: skip
NODES_IN, NODES_MID, NODES_OUT = ["in-a", "in-b", "in-c"], ["mid-1", "mid-2"], ["out-x", "out-y"]


def swatch(wanllmdb, np, i: int):
    """An 8x8 image of one colour per label, captioned with its row."""
    colour = [(220, 40, 40), (40, 170, 40), (40, 40, 220)][i % 3]
    return wanllmdb.Image(np.full((8, 8, 3), colour, dtype=np.uint8), caption=f"row {i}")


def preds_table(wanllmdb, np, seed: int):
    rng = random.Random(seed)
    table = wanllmdb.Table(columns=["id", "label", "score", "correct", "image"])
    for i in range(300):
        score = round(rng.random(), 4)
        table.add_data(i, LABELS[i % 3], score, score > 0.5, swatch(wanllmdb, np, i) if i % 10 == 0 else None)
    return table


def chart_rows(pl):
    rows = []
    for k in range(200):
        x, y = k % 20, k // 20
        stage = k % 2
        src = NODES_IN[k % 3] if stage == 0 else NODES_MID[k % 2]
        dst = NODES_MID[(k // 3) % 2] if stage == 0 else NODES_OUT[(k // 2) % 2]
        rows.append(
            {
                "x": float(x),
                "y": float(y),
                "z": round(math.sin(x / 3) * math.cos(y / 2) * 10, 3),
                "group": ["A", "B", "C"][k % 3],
                "size": float(1 + k % 7),
                "country": COUNTRIES[k % len(COUNTRIES)],
                "src": src,
                "dst": dst,
                "flow": float(1 + k % 5),
            }
        )
    return pl.DataFrame(rows)


def large_tables(wanllmdb, np, pl) -> dict:
    n = 1_000_000
    big = pl.DataFrame(
        {
            "idx": np.arange(n),
            "x": np.sin(np.arange(n) / 1000.0),
            "label": np.array(LABELS * (n // 3 + 1))[:n],
        }
    )
    rng = np.random.default_rng(0)
    points = pl.DataFrame(
        {"px": rng.normal(size=100_000), "py": rng.normal(size=100_000), "pg": rng.choice(LABELS, 100_000)}
    )
    par = pl.DataFrame({c: rng.normal(loc=i, size=10_000) for i, c in enumerate(["a", "b", "c", "d", "e"])})
    return {
        "eval/big": wanllmdb.Table(dataframe=big),
        "chart/points": wanllmdb.Table(dataframe=points),
        "chart/parallel": wanllmdb.Table(dataframe=par),
    }


def log_eval_run(wanllmdb, np, pl, project: str, *, light: bool) -> str:
    run = wanllmdb.init(project=project, name="eval-a", config={"model": "resnet", "lr": 0.01})
    tables = {
        "eval/preds": preds_table(wanllmdb, np, 1),
        "chart/data": wanllmdb.Table(dataframe=chart_rows(pl)),
    }
    wanllmdb.log({**tables, **({} if light else large_tables(wanllmdb, np, pl))}, step=0)
    xs = list(range(50))
    curve = wanllmdb.Table(
        data=[[x, math.exp(-x / 10), LABELS[x % 2]] for x in xs], columns=["step", "loss", "split"]
    )
    bars = wanllmdb.Table(
        data=[[lab, float(i + 2)] for i, lab in enumerate(LABELS)], columns=["label", "count"]
    )
    y_true = [i % 3 for i in range(90)]
    probs = [
        [0.7 if c == (t if i % 4 else (t + 1) % 3) else 0.15 for c in range(3)] for i, t in enumerate(y_true)
    ]
    wanllmdb.log(
        {
            "curve": wanllmdb.plot.line(curve, "step", "loss", stroke="split", title="Loss curve"),
            "spread": wanllmdb.plot.scatter(curve, "step", "loss", title="Loss scatter"),
            "counts": wanllmdb.plot.bar(bars, "label", "count", title="Label counts"),
            "scores": wanllmdb.plot.histogram(
                wanllmdb.Table(data=[[random.Random(i).gauss(0, 1)] for i in range(500)], columns=["s"]),
                "s",
                title="Scores",
            ),
            "series": wanllmdb.plot.line_series(
                xs=xs, ys=[[x * 0.5 for x in xs], [x**0.5 for x in xs]], keys=["half", "sqrt"], title="Series"
            ),
            "roc": wanllmdb.plot.roc_curve(y_true, probs, labels=LABELS),
            "pr": wanllmdb.plot.pr_curve(y_true, probs, labels=LABELS),
            "conf_mat": wanllmdb.plot.confusion_matrix(probs=probs, y_true=y_true, class_names=LABELS),
        },
        step=1,
    )
    run_id = run.id
    wanllmdb.finish()
    return run_id


def log_compare_run(wanllmdb, np, project: str) -> str:
    run = wanllmdb.init(project=project, name="eval-b", config={"model": "vit", "lr": 0.001})
    wanllmdb.log({"eval/preds": preds_table(wanllmdb, np, 2)}, step=0)
    run_id = run.id
    wanllmdb.finish()
    return run_id


def make_runs(url: str, token: str, project: str, n: int, *, summary: bool) -> tuple[str, list[dict]]:
    """n runs over the REST API (the SDK's init + finish per run is far slower), 8 at a time."""
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=h, timeout=60) as http:
        r = http.post("/api/projects", json={"name": project})
        r.raise_for_status()
        pid = r.json()["id"]

        def create(i: int) -> dict:
            rng = random.Random(i)
            config = {
                "lr": [0.1, 0.03, 0.01, 0.003, 0.001][i % 5],
                "layers": 2 + i % 6,
                "dropout": round(rng.random() * 0.5, 3),
                "optimizer": ["adam", "sgd"][i % 2],
            }
            body = {"id": f"s{i:06d}", "name": f"trial-{i}", "config": config}
            resp = http.post(f"/api/projects/{pid}/runs", json=body)
            if resp.status_code >= 300:
                raise RuntimeError(f"create run {i}: {resp.status_code} {resp.text}")
            if summary:
                acc = round(0.5 + 0.4 * (1 - abs(math.log10(config["lr"]) + 2) / 2) + rng.random() * 0.05, 4)
                patch = http.patch(
                    f"/api/runs/{body['id']}/summary",
                    params={"project_id": pid},
                    json={"summary": {"acc": acc, "loss": round(1 - acc, 4)}},
                )
                if patch.status_code >= 300:
                    raise RuntimeError(f"summary of run {i}: {patch.status_code} {patch.text}")
            return {"id": body["id"], "name": body["name"], "config": config}

        with ThreadPoolExecutor(8) as pool:
            return pid, list(pool.map(create, range(n)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="e2e")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="tables-e2e")
    ap.add_argument("--sweep", type=int, default=12)
    ap.add_argument("--big-sweep", type=int, default=0)
    ap.add_argument("--light", action="store_true", help="without the three large tables")
    args = ap.parse_args()

    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    os.environ["WANLLMDB_BASE_URL"] = args.url
    os.environ["WANLLMDB_API_KEY"] = api_key(args.url, token)
    os.environ["WANLLMDB_DIR"] = tempfile.mkdtemp(prefix="wanllmdb-seed-")

    import numpy as np
    import polars as pl

    import wanllmdb  # after the environment is set: init() reads it

    a = log_eval_run(wanllmdb, np, pl, args.project, light=args.light)
    b = log_compare_run(wanllmdb, np, args.project)
    _, sweep = make_runs(args.url, token, "sweep-e2e", args.sweep, summary=True)
    big = (
        make_runs(args.url, token, "sweep-10k", args.big_sweep, summary=False)[0] if args.big_sweep else None
    )
    print(
        json.dumps(
            {
                "entity": args.username,
                "project": args.project,
                "username": args.username,
                "password": args.password,
                "runs": [
                    {"id": a, "name": "eval-a", "config": {}},
                    {"id": b, "name": "eval-b", "config": {}},
                ],
                "sweep": sweep,
                "big_sweep_project": "sweep-10k" if big else None,
            }
        )
    )


if __name__ == "__main__":
    main()
