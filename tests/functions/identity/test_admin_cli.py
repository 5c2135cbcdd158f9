"""`wanllmdb admin create-user / create-key / invite` on the local backend, as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from wanllmdb.cli import main
from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.errors import Forbidden
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.models import OrgCreate, Register
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.signup import SignupService

from ...conftest import start_local_server


def admin(*args: str, data_dir: Path, stdin: str = "") -> tuple[int, str]:
    """In-process, for the many refusal cases: same click command, no interpreter start-up."""
    result = CliRunner().invoke(main, ["admin", "--data-dir", str(data_dir), *args], input=stdin)
    return result.exit_code, result.output


def test_cli_refuses_bad_or_taken_names_with_a_clear_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert admin("create-user", "alice", data_dir=data_dir)[0] == 0
    code, output = admin("create-user", "--username", "alice", data_dir=data_dir)
    assert code != 0 and "already taken" in output
    code, output = admin("create-key", "--username", "nobody", data_dir=data_dir)
    assert code != 0 and "create-user nobody" in output
    code, output = admin("create-user", "Not Valid", data_dir=data_dir)
    assert code != 0 and "username" in output
    code, output = admin("create-user", "bob", "--password-stdin", data_dir=data_dir, stdin="short\n")
    assert code != 0 and "password" in output
    code, output = admin("create-key", "alice", "--username", "bob", data_dir=data_dir)
    assert code != 0 and "once" in output


@pytest.mark.slow
def test_cli_creates_users_and_keys_that_the_server_accepts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "WANLLMDB_BACKEND": "local"}
    base = [sys.executable, "-m", "wanllmdb.cli", "admin", "--data-dir", str(data_dir)]
    made = subprocess.run(
        [*base, "create-user", "--username", "alice", "--password-stdin", "--with-key"],
        input="s3cret-pass\n", capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("wl_")
    server = start_local_server(data_dir)
    try:
        me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {key}"}).json()
        assert me["username"] == "alice"
        login = httpx.post(
            f"{server.url}/api/auth/login", json={"username": "alice", "password": "s3cret-pass"}
        )
        assert login.status_code == 200
    finally:
        server.stop()


def test_cli_invites_into_an_org_and_the_invitation_signs_one_person_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    code, output = admin("create-user", "boss", "--with-key", data_dir=data_dir)
    assert code == 0, output
    items = build_storage(Settings(data_dir=data_dir)).items
    OrgService(items).create(
        resolve_caller(items, output.split()[-1], session_ttl_s=60), OrgCreate(name="acme")
    )
    code, output = admin(
        "invite", "--org", "acme", "--role", "viewer", "--email", "kim@example.com", data_dir=data_dir
    )
    assert code == 0, output
    assert "into acme as viewer for kim@example.com" in output
    token = output.split()[-1]
    assert token.startswith("wli_")
    signup = SignupService(items, open_signup=False)
    kim = signup.register(Register(username="kim", password="long enough", invitation=token))
    assert kim.email == "kim@example.com"
    assert items.get("ORG#acme", f"MEMBER#{kim.id}")["role"] == "viewer"  # type: ignore[index]
    with pytest.raises(Forbidden):
        signup.register(Register(username="lee", password="long enough", invitation=token))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--role", "viewer"), "role needs an organization"),
        (("--org", "nowhere"), "no organization named 'nowhere'"),
        (("--email", "not-an-email"), "email"),
        (("--ttl-days", "0"), "ttl-days"),
    ],
)
def test_cli_refuses_bad_invitations_with_a_clear_message(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    code, output = admin("invite", *args, data_dir=tmp_path / "data")
    assert code != 0 and says in output
