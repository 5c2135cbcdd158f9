from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from wanllmdb.gitinfo import git_diff, git_info, scrub_remote
from wanllmdb_functions.runs.records import scrub_remote as server_scrub_remote

REMOTES = [
    ("https://user:s3cret@github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("https://ghp_token123@github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("ssh://git@host:2222/org/repo.git", "ssh://host:2222/org/repo.git"),
    ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ("oauth2:tok@gitlab.com:org/repo.git", "gitlab.com:org/repo.git"),
    # Tokens in the query or in ;parameters: every one is dropped.
    ("https://example.com/org/repo.git?token=s3cret", "https://example.com/org/repo.git"),
    ("https://example.com/org/repo.git?a=1&private_token=s3cret#frag", "https://example.com/org/repo.git"),
    ("https://example.com/org/repo.git;token=s3cret", "https://example.com/org/repo.git"),
    ("git@github.com:org/repo.git?token=s3cret", "git@github.com:org/repo.git"),
    # IPv6 literals keep their brackets, so the result is still a valid URL.
    ("http://[::1]:80/x", "http://[::1]:80/x"),
    ("https://u:p@[2001:db8::1]/org/repo.git", "https://[2001:db8::1]/org/repo.git"),
    ("https://user@host:notaport/x", "https://host/x"),
    ("/srv/git/repo.git", "/srv/git/repo.git"),
]


@pytest.mark.parametrize("scrub", [scrub_remote, server_scrub_remote], ids=["sdk", "server"])
@pytest.mark.parametrize(("url", "clean"), REMOTES)
def test_remote_urls_lose_credentials(scrub: Callable[[str], str], url: str, clean: str) -> None:
    assert scrub(url) == clean


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True
    )


def test_git_info_and_diff_of_a_dirty_repo(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "train.py").write_text("lr = 0.1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "init")
    _git(tmp_path, "remote", "add", "origin", "https://me:pw@example.com/x.git")
    info = git_info(tmp_path)
    assert info["branch"] == "main" and len(info["commit"]) == 40
    assert info["remote"] == "https://example.com/x.git" and info["dirty"] is False
    (tmp_path / "train.py").write_text("lr = 0.2\n")
    assert git_info(tmp_path)["dirty"] is True
    assert "+lr = 0.2" in git_diff(tmp_path)


def test_outside_a_repo_there_is_no_git_info(tmp_path: Path) -> None:
    assert git_info(tmp_path / "nowhere") == {} or "commit" in git_info(tmp_path / "nowhere")
    assert git_diff(Path("/")) == ""
