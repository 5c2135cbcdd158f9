"""Seeds a running server with a model registry for the browser test web/tests/e2e/registry.e2e.ts.

Everything goes through the HTTP API, as a team would set it up:

- the organization `acme` (made by the local admin), with `ana` (member: may request moves) and `ben`
  (admin: holds registry:approve), each signed up through an invitation into it;
- the project `acme/vision`, where the run `r-prep` logs `imagenet-mini` (type dataset), the run
  `r-train` uses it and logs `resnet` v0 and v1 (type model, through the artifact HTTP contract with
  tests/functions/artifacts/client.py), and the run `r-eval` exists to be an evaluation;
- the registry `acme/model` (by ben), where `resnet` links both versions; v0 is moved to Production
  by ben (a registry admin, no request) and has a deployment; v1 has a model card, an evaluation and
  the alias `candidate`. The model's description and the card are markdown, with raw HTML and a
  `javascript:` link that must never become markup.

The last line on stdout is JSON: {"entity", "registry", "model", "project", "project_id",
"users": {"ana": {"username", "password"}, "ben": {...}}}.

    python tests/web_e2e/seed_registry.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.functions.artifacts.client import ArtifactClient  # noqa: E402

PASSWORD = "correct-horse-battery"
ORG, PROJECT, REGISTRY, MODEL = "acme", "vision", "model", "resnet"

DESCRIPTION = """# ResNet-50 classifier

Image classifier for the **vision** team, trained on `imagenet-mini`.

- input: 224x224 RGB
- output: 3 classes

<script>document.title = "pwned"</script>
[not a link](javascript:alert(1)) · [the paper](https://arxiv.org/abs/1512.03385)
"""

MODEL_CARD = """## Intended use

Sorting photos of *cats*, *dogs* and *birds*.

| metric | value |
|---|--:|
| top-1 | 0.91 |
| top-5 | 0.99 |

<img src=x onerror="document.title='pwned'">
"""


def check(r: httpx.Response) -> dict[str, Any]:
    if r.status_code >= 300:
        sys.exit(f"seed_registry: {r.request.method} {r.request.url} answered {r.status_code}: {r.text}")
    return dict(r.json()) if r.content else {}


def join_org(url: str, admin: httpx.Client, username: str, role: str) -> str:
    """Signs `username` up through an invitation into the organization; their session token."""
    token = check(admin.post("/api/invitations", json={"org": ORG, "role": role}))["token"]
    body = {"username": username, "password": PASSWORD, "invitation": token}
    return str(check(httpx.post(f"{url}/api/auth/register", json=body, timeout=30))["token"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", required=True)
    args = ap.parse_args()
    admin_key = Path(args.admin_key_file).read_text().strip()
    admin = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=60)
    check(admin.post("/api/orgs", json={"name": ORG, "display_name": "Acme Research"}))
    ana_token = join_org(args.url, admin, "ana", "member")
    ben_token = join_org(args.url, admin, "ben", "admin")
    ben = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {ben_token}"}, timeout=60)

    project = check(ben.post("/api/projects", json={"name": PROJECT, "entity": ORG}))
    pid = project["id"]
    for run_id, name in (("r-prep", "prep"), ("r-train", "train-resnet"), ("r-eval", "eval-resnet")):
        check(ben.post(f"/api/projects/{pid}/runs", json={"id": run_id, "name": name}))
    client = ArtifactClient(base=f"{args.url}/api", key=ben_token, project=pid)
    labels = {"labels.csv": b"id,label\n1,cat\n2,dog\n3,bird\n"}
    client.log("imagenet-mini", labels, type="dataset", run_id="r-prep").raise_for_status()
    check(ben.post("/api/runs/r-train/artifacts/used", json={"artifact": "imagenet-mini:v0"}))
    for weights in (b"v0 weights", b"v1 weights, better"):
        files = {"model.bin": weights * 64, "config.json": b'{"arch": "resnet50", "classes": 3}\n'}
        client.log(MODEL, files, type="model", run_id="r-train").raise_for_status()

    about = {"entity": ORG, "name": REGISTRY, "description": "The team's models."}
    registry = check(ben.post("/api/registries", json=about))
    base = f"/api/registries/{ORG}:{REGISTRY}/models/{MODEL}"
    check(ben.put(base, json={"description": DESCRIPTION, "tags": ["vision"]}))
    check(ben.post(f"{base}/versions", json={"project_id": pid, "artifact": f"{MODEL}:v0"}))
    v1 = {"project_id": pid, "artifact": f"{MODEL}:v1", "aliases": ["candidate"]}
    check(ben.post(f"{base}/versions", json=v1))
    check(ben.patch(f"{base}/versions/v1", json={"model_card": MODEL_CARD}))
    check(ben.post(f"{base}/versions/v0/stage", json={"stage": "Production", "comment": "first release"}))
    deployment = {"target": "sagemaker:prod-eu", "url": "https://example.com/resnet"}
    check(ben.post(f"{base}/versions/v0/deployments", json=deployment))
    evaluation = {"run_id": "r-eval", "note": "top-1 0.91 on the holdout"}
    check(ben.post(f"{base}/versions/v1/evaluations", json=evaluation))

    seeded = {
        "entity": ORG,
        "registry": registry["name"],
        "model": MODEL,
        "project": PROJECT,
        "project_id": pid,
        "users": {
            "ana": {"username": "ana", "password": PASSWORD, "token": ana_token},
            "ben": {"username": "ben", "password": PASSWORD},
        },
    }
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
