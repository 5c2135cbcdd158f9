"""Seeds a running wanLLMDB server through the real SDK, for the web end-to-end test and benchmark.

It registers a user (or logs in when the user exists), makes an API key, then logs runs with
`wanllmdb.init / log / finish` exactly as a training script would. The last line on stdout is JSON:
{"entity", "project", "username", "password", "runs": [{"id", "name", "config"}]}.

Sign-up is closed by default, so the user registers with an invitation made with the server's
admin key (`<data-dir>/admin-api-key` of a local server).

    python tests/web_e2e/seed.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key \
        [--runs 3 --steps 400 --metrics 0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path

import httpx


def invitation(http: httpx.Client, admin_key: str) -> str:
    r = http.post("/api/invitations", json={}, headers={"Authorization": f"Bearer {admin_key}"})
    if r.status_code != 201:
        sys.exit(f"seed: the admin key cannot make an invitation: {r.status_code} {r.text}")
    return str(r.json()["token"])


def session_token(url: str, username: str, password: str, admin_key: str | None) -> str:
    with httpx.Client(base_url=url, timeout=30) as http:
        body = {"username": username, "password": password}
        if admin_key:
            body["invitation"] = invitation(http, admin_key)
        r = http.post("/api/auth/register", json=body)
        if r.status_code == 409:
            r = http.post("/api/auth/login", json={"username": username, "password": password})
        if r.status_code >= 300:
            sys.exit(f"seed: cannot register or log in {username!r}: {r.status_code} {r.text}")
        return str(r.json()["token"])


def api_key(url: str, token: str) -> str:
    r = httpx.post(
        f"{url}/api/keys", json={"name": "web-e2e"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    if r.status_code >= 300:
        sys.exit(f"seed: cannot create an API key: {r.status_code} {r.text}")
    return str(r.json()["key"])


def e2e_metrics(step: int, lr: float, rng: random.Random) -> dict[str, float]:
    loss = 2.5 * math.exp(-step * lr * 0.05) + 0.05 + rng.random() * 0.05
    if step == 250 and lr == 0.1:
        loss = 40.0  # one spike: the envelope must show it even when the line averages it away
    row = {"train/loss": loss, "train/acc": 1 - loss / 3, "epoch": step // 100}
    if step % 10 == 0:
        row["val/loss"] = loss * 1.1
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None, help="the server's admin API key, to invite the user")
    ap.add_argument("--username", default="e2e")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="web-e2e")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument(
        "--metrics", type=int, default=0, help="0: the e2e metrics; N: N synthetic keys in sections of 10"
    )
    args = ap.parse_args()

    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    os.environ["WANLLMDB_BASE_URL"] = args.url
    os.environ["WANLLMDB_API_KEY"] = api_key(args.url, token)
    os.environ["WANLLMDB_DIR"] = tempfile.mkdtemp(prefix="wanllmdb-seed-")

    import wanllmdb  # after the environment is set: init() reads it

    lrs = [0.1, 0.01, 0.001, 0.03, 0.003, 0.3, 0.05, 0.005, 0.2, 0.02]
    runs = []
    for i in range(args.runs):
        lr = lrs[i % len(lrs)]
        config = {
            "lr": lr,
            "batch_size": 32 * (i + 1),
            "optimizer": {"name": "adam", "beta1": 0.9},
            "seed": i,
        }
        run = wanllmdb.init(
            project=args.project, name=f"run-{i + 1}-lr{lr}", config=config, tags=["e2e", f"lr{lr}"]
        )
        rng = random.Random(i)
        keys = [f"s{k // 10}/metric{k}" for k in range(args.metrics)]
        for step in range(args.steps):
            if args.metrics:
                base = math.exp(-step / args.steps * 3)
                wanllmdb.log(
                    {k: base * (1 + j * 0.01) + rng.random() * 0.01 for j, k in enumerate(keys)}, step=step
                )
            else:
                wanllmdb.log(e2e_metrics(step, lr, rng), step=step)
            if step % 100 == 0 and not args.metrics:
                print(f"epoch {step // 100}: train/loss ok at step {step}")
        if not args.metrics:
            print(f"training of run {i + 1} done")
        run_id = run.id
        wanllmdb.finish()
        runs.append({"id": run_id, "name": f"run-{i + 1}-lr{lr}", "config": config})
    print(
        json.dumps(
            {
                "entity": args.username,
                "project": args.project,
                "username": args.username,
                "password": args.password,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
