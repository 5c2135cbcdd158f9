"""A test client for a real local server: users, projects, runs and chunks uploaded through grants."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import LocalServer
from tests.lake_chunks import metric_table, parquet_bytes


@dataclass
class User:
    base: str
    username: str
    token: str

    @property
    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self.http as client:
            return client.request(method, f"/api{path}", **kwargs)

    def project(self, name: str | None = None, **extra: Any) -> str:
        body = {"name": name or f"p-{uuid.uuid4().hex[:8]}", **extra}
        response = self.request("POST", "/projects", json=body)
        assert response.status_code in (200, 201), response.text
        return str(response.json()["id"])

    def run(self, project_id: str, run_id: str | None = None, **extra: Any) -> str:
        body = {"id": run_id or uuid.uuid4().hex[:8], **extra}
        response = self.request("POST", f"/projects/{project_id}/runs", json=body)
        assert response.status_code in (200, 201), response.text
        return str(response.json()["id"])

    def upload_bytes(
        self, run_id: str, data: bytes, *, seq: int, attempt: int = 0, kind: str = "history"
    ) -> str:
        item = {"kind": kind, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "seq": seq,
                "attempt": attempt}  # fmt: skip
        response = self.request("POST", f"/runs/{run_id}/uploads", json={"items": [item]})
        assert response.status_code == 200, response.text
        grant = response.json()["grants"][0]
        put = httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=60)
        assert put.status_code in (200, 201, 204), put.text
        return str(grant["key"])

    def upload(
        self,
        run_id: str,
        *,
        seq: int,
        steps: Sequence[int],
        values: dict[str, Sequence[float | None]],
        attempt: int = 0,
        kind: str = "history",
    ) -> str:
        data = parquet_bytes(metric_table(steps, values, attempt=attempt))
        return self.upload_bytes(run_id, data, seq=seq, attempt=attempt, kind=kind)


def register(server: LocalServer, username: str | None = None) -> User:
    """A new user of `server`, signed up with an invitation from its local admin (sign-up is closed)."""
    name = username or f"u{uuid.uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {(server.data_dir / 'admin-api-key').read_text().strip()}"}
    invited = httpx.post(f"{server.url}/api/invitations", json={}, headers=admin, timeout=30)
    assert invited.status_code == 201, invited.text
    body = {"username": name, "password": "correct horse battery", "invitation": invited.json()["token"]}
    response = httpx.post(f"{server.url}/api/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return User(server.url, name, response.json()["token"])
