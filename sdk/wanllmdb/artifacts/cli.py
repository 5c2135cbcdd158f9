"""`wanllmdb artifact put|get|ls|diff|gc|cache cleanup`: artifacts from the shell, with progress bars.

Imports only click at module level: `wanllmdb --help` stays quick and loads no transfer code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["artifact"]


def _fail(exc: Exception) -> click.ClickException:
    message = getattr(exc, "message", None) or str(exc)
    return click.ClickException(message)


def _api(base_url: str | None) -> Any:
    from wanllmdb.api import Api

    return Api({"base_url": base_url} if base_url else {})


_base_url = click.option("--base-url", envvar="WANLLMDB_BASE_URL", default=None, help="Server URL.")


@click.group()
def artifact() -> None:
    """Log, fetch, list, compare and clean up artifacts."""


@artifact.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", "-n", required=True, help="Artifact name, or project/name.")
@click.option("--type", "-t", "kind", default="dataset", show_default=True, help="Artifact type.")
@click.option("--alias", "-a", "aliases", multiple=True, help="An alias to set (repeatable).")
@click.option("--description", "-d", default=None)
@_base_url
def put(
    path: Path, name: str, kind: str, aliases: tuple[str, ...], description: str | None, base_url: str | None
) -> None:
    """Log PATH (a file, a directory, or a file://, s3:// or https:// URI) as a new version of NAME."""
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.settings import Settings

    project, _, bare = name.rpartition("/")
    try:
        art = Artifact(bare, kind, description=description)
        text = str(path)
        if "://" in text:
            art.add_reference(text)
        elif path.is_dir():
            art.add_dir(path)
        else:
            art.add_file(path)
        art.aliases = list(aliases)
        art.save(
            project=project or None, settings=Settings.resolve({"base_url": base_url} if base_url else None)
        )
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(f"{art.qualified_name}  {art.file_count} files  {art.size} bytes  digest {art.digest}")


@artifact.command()
@click.argument("name")
@click.option("--root", type=click.Path(path_type=Path), default=None, help="Where to put the files.")
@click.option("--type", "-t", "kind", default=None, help="Insist on this type.")
@_base_url
def get(name: str, root: Path | None, kind: str | None, base_url: str | None) -> None:
    """Download NAME (entity/project/name:alias or project/name:vN)."""
    try:
        with _api(base_url) as api:
            art = api.artifact(name, type=kind)
            where = art.download(root)
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(f"{art.qualified_name}  {art.file_count} files  → {where}")


@artifact.command("ls")
@click.argument("path")
@click.option("--type", "-t", "kind", default=None, help="Only this type.")
@_base_url
def ls(path: str, kind: str | None, base_url: str | None) -> None:
    """List a project's collections (PROJECT or ENTITY/PROJECT), or a collection's versions
    (ENTITY/PROJECT/NAME)."""
    try:
        with _api(base_url) as api:
            if path.strip("/").count("/") == 2:
                for v in api.artifacts(kind, path) if kind else _versions(api, path):
                    click.echo(
                        f"{v.version:>6}  {v.file_count:>8} files  {v.size:>12} bytes  {','.join(v.aliases)}"
                    )
                return
            for c in api.artifact_collections(path, kind):
                click.echo(f"{c.type:12}  {c.name:40}  {c.version_count:>5} versions  latest {c.latest}")
    except Exception as exc:
        raise _fail(exc) from None


def _versions(api: Any, path: str) -> list[Any]:
    queries = api._artifacts()
    project, _, name = path.strip("/").rpartition("/")
    return list(queries.versions(queries._project(project), name))


@artifact.command()
@click.argument("name")
@click.argument("old")
@click.argument("new")
@_base_url
def diff(name: str, old: str, new: str, base_url: str | None) -> None:
    """The paths added (+), removed (-) and changed (~) from version OLD to NEW of ENTITY/PROJECT/NAME."""
    from wanllmdb.artifacts.http import quote_segment

    try:
        with _api(base_url) as api:
            queries = api._artifacts()
            project, _, bare = name.strip("/").rpartition("/")
            route = (
                f"/projects/{quote_segment(queries._project(project))}/artifacts/{quote_segment(bare)}/diff"
            )
            offset, marks = 0, {"added": "+", "removed": "-", "changed": "~"}
            while True:
                page = queries.ctx.http.api(
                    "GET", route, params={"from": old, "to": new, "offset": offset, "limit": 1000}
                )
                for e in page["entries"]:
                    sizes = f"{e.get('old_size')} → {e.get('new_size')}"
                    click.echo(f"{marks[e['change']]} {e['path']}  ({sizes})")
                offset += len(page["entries"])
                if not page["entries"] or offset >= page["total"]:
                    break
            click.echo(f"{page['added']} added, {page['removed']} removed, {page['changed']} changed")
    except Exception as exc:
        raise _fail(exc) from None


@artifact.command()
@click.argument("project")
@_base_url
def gc(project: str, base_url: str | None) -> None:
    """Delete the blobs and manifests of PROJECT that no live version names (project admins)."""
    from wanllmdb.artifacts.http import quote_segment

    try:
        with _api(base_url) as api:
            queries = api._artifacts()
            result = queries.ctx.http.api(
                "POST", f"/projects/{quote_segment(queries._project(project))}/artifacts/gc"
            )
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(
        f"deleted {result['deleted_blobs']} blobs and {result['deleted_manifests']} manifests; "
        f"{result['live_versions']} live manifests kept"
    )


@artifact.group()
def cache() -> None:
    """The local download cache (WANLLMDB_CACHE_DIR, capped by WANLLMDB_CACHE_MAX_BYTES)."""


@cache.command()
@click.option("--max-bytes", type=int, default=None, help="Shrink to this size (default: the cap).")
def cleanup(max_bytes: int | None) -> None:
    """Evict least recently used blobs until the cache fits."""
    from wanllmdb.artifacts.cache import ArtifactCache
    from wanllmdb.artifacts.context import cache_dir_of
    from wanllmdb.settings import Settings

    s = Settings.resolve()
    store = ArtifactCache(cache_dir_of(s), max_bytes=s.cache_max_bytes)
    try:
        removed, freed = store.cleanup(max_bytes)
        left = store.index.total_bytes()
    finally:
        store.close()
    click.echo(f"removed {removed} objects ({freed} bytes); {left} bytes left in {cache_dir_of(s)}")
