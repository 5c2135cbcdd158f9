from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from wanllmdb.gitinfo import git_diff, git_info, scrub_remote


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://user:s3cret@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("https://ghp_token123@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("ssh://git@host:2222/org/repo.git", "ssh://host:2222/org/repo.git"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("oauth2:tok@gitlab.com:org/repo.git", "gitlab.com:org/repo.git"),
    ],
)
def test_remote_urls_lose_credentials(url: str, clean: str) -> None:
    assert scrub_remote(url) == clean


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
