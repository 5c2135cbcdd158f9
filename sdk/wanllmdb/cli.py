"""The `wanllmdb` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["main"]


@click.group()
@click.version_option(package_name="wanllmdb")
def main() -> None:
    """wanLLMDB: experiment tracking on an open Parquet lake."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1, env WANLLMDB_HOST).")
@click.option(
    "--port", default=None, type=click.IntRange(0, 65535), help="Port (default 8080, env WANLLMDB_PORT)."
)
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where SQLite and the lake live (default ~/.wanllmdb, env WANLLMDB_DATA_DIR).",
)
def server(host: str | None, port: int | None, data_dir: Path | None) -> None:
    """Run the embedded server: API, lake and dashboard in one process."""
    try:
        from wanllmdb_functions.core.settings import SettingsError, load_settings
        from wanllmdb_functions.local_server import serve
    except ImportError as exc:
        raise click.ClickException(
            f"the server needs the 'server' extra ({exc.name} is missing): pip install 'wanllmdb[server]'"
        ) from None
    overrides = {k: v for k, v in {"host": host, "port": port, "data_dir": data_dir}.items() if v is not None}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    serve(settings)


if __name__ == "__main__":
    sys.exit(main())
