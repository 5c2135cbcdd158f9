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


def _server_modules() -> None:
    try:
        import wanllmdb_functions  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(
            f"admin commands need the 'server' extra ({exc.name} is missing): pip install 'wanllmdb[server]'"
        ) from None


@main.group()
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Local backend's data dir (default ~/.wanllmdb, env WANLLMDB_DATA_DIR).",
)
@click.pass_context
def admin(ctx: click.Context, data_dir: Path | None) -> None:
    """Manage users and API keys directly on the configured backend (WANLLMDB_BACKEND, _TABLE, ...)."""
    _server_modules()
    from wanllmdb_functions.core.settings import SettingsError, load_settings

    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        ctx.obj = load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@admin.command("create-user")
@click.argument("username")
@click.option("--email", default=None, help="Contact address.")
@click.option("--admin", "is_admin", is_flag=True, help="Make the user a tenant admin.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from stdin; without it (and without a TTY) the user has no password.",
)
@click.option("--with-key", is_flag=True, help="Also create an API key and print it (shown once).")
@click.pass_obj
def create_user(
    settings: object, username: str, email: str | None, is_admin: bool, password_stdin: bool, with_key: bool
) -> None:
    """Create USERNAME. Prompts for a password on a terminal."""
    from wanllmdb_functions.identity import admin_cli

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, default="") or None
    try:
        lines = admin_cli.create_user(
            settings, username, email=email, password=password, is_admin=is_admin, with_key=with_key
        )
    except admin_cli.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


@admin.command("create-key")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the key by.")
@click.pass_obj
def create_key(settings: object, username: str, name: str) -> None:
    """Create an API key for USERNAME and print it. It is shown only this once."""
    from wanllmdb_functions.identity import admin_cli

    try:
        click.echo(admin_cli.create_key(settings, username, name=name))
    except admin_cli.AdminError as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
