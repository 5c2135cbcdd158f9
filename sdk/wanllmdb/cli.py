"""The ``wanllmdb`` command line.

The SDK owns ``login``, ``sync`` and ``status``; ``server`` (and ``admin``) belong to the server side and
import ``wanllmdb_functions`` only inside the command, so the SDK never pulls in the server stack.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from wanllmdb.agents.cli import agent as agent_command
from wanllmdb.agents.cli import sweep as sweep_command
from wanllmdb.artifacts.cli import artifact as artifact_commands
from wanllmdb.credentials import LOCAL_BASE_URLS, find_api_key, store_api_key
from wanllmdb.registry.cli import registry as registry_commands
from wanllmdb.rest import ApiError, RestClient, Transient
from wanllmdb.settings import Settings

__all__ = ["main"]


@click.group()
@click.version_option(package_name="wanllmdb")
def main() -> None:
    """wanLLMDB: experiment tracking on an open Parquet lake."""


# -- SDK commands ------------------------------------------------------------------------------------
@main.command()
@click.argument("key", required=False)
@click.option("--base-url", envvar="WANLLMDB_BASE_URL", default=None, help="Server URL (default local).")
@click.option(
    "--verify/--no-verify", default=True, show_default=True, help="Check the key against the server."
)
def login(key: str | None, base_url: str | None, verify: bool) -> None:
    """Store an API key for BASE_URL in the user config dir (mode 0600).

    The key comes from KEY, else WANLLMDB_API_KEY, else a hidden prompt on a terminal, else one line
    of stdin (`wanllmdb login < keyfile`), so it never has to appear in the shell history or a log.
    """
    url = (base_url or Settings().base_url).rstrip("/")
    key = (key or os.environ.get("WANLLMDB_API_KEY") or _read_key(url)).strip()
    if not key:
        raise click.UsageError(f"no API key given. {_where_keys_are(url)}")
    if verify:
        client = RestClient(url, key)
        try:
            me = client.me()
        except Transient as exc:
            raise click.ClickException(
                f"cannot reach {url} ({exc}); start the server or check --base-url, "
                "or pass --no-verify to store the key anyway"
            ) from None
        except ApiError as exc:
            if exc.status in (401, 403):
                raise click.ClickException(
                    f"{url} did not accept this API key ({exc.message}). {_where_keys_are(url)}"
                ) from None
            raise click.ClickException(f"{url} could not check the key: {exc.message}") from None
        finally:
            client.close()
        click.echo(f"Logged in to {url} as {me.get('username', '?')}.")
    path = store_api_key(url, key)
    click.echo(f"Key stored in {path}")


def _where_keys_are(url: str) -> str:
    data_dir = Path(os.environ.get("WANLLMDB_DATA_DIR") or Path.home() / ".wanllmdb").expanduser()
    where = "its" if url in LOCAL_BASE_URLS else "a local server's"
    return (
        f"Where to find a key: the dashboard's profile page ({url}/settings/profile) lists and creates "
        f"yours; `wanllmdb server` writes {where} admin key to {data_dir / 'admin-api-key'}."
    )


def _read_key(url: str) -> str:
    """A hidden prompt on a terminal; without one (a pipe, CI) one line of stdin, read without echo
    or prompt: getpass there would only warn that the key may be echoed."""
    if sys.stdin is not None and sys.stdin.isatty():
        click.echo(_where_keys_are(url), err=True)
        return str(click.prompt(f"API key for {url}", hide_input=True, default="", show_default=False))
    return sys.stdin.readline() if sys.stdin is not None else ""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--base-url", default=None, help="Override the server URL recorded in each run.")
@click.option("--parallel", default=4, show_default=True, help="Runs uploaded at once.")
@click.option("--prune", is_flag=True, help="Delete the run dirs that can never be synced (see status).")
def sync(paths: tuple[Path, ...], base_url: str | None, parallel: int, prune: bool) -> None:
    """Upload spooled runs (default: every run under $WANLLMDB_DIR/wanllmdb or ./wanllmdb)."""
    from tqdm import tqdm

    from wanllmdb.sync import find_run_dirs, sync_runs
    from wanllmdb.sync import prune as prune_dirs

    roots = list(paths) or [Path(os.environ.get("WANLLMDB_DIR") or ".")]
    dirs = find_run_dirs(roots)
    if prune:
        for rd in prune_dirs(dirs):
            click.echo(f"removed {rd.path} (it could never be synced)")
        dirs = [rd for rd in dirs if rd.path.exists()]
    if not dirs:
        click.echo(f"No run dirs found under {', '.join(map(str, roots))}.")
        return
    with tqdm(desc=f"Syncing {len(dirs)} run(s)", unit="item", file=sys.stderr) as bar:

        def advance(n: int) -> None:
            bar.update(n)

        results = sync_runs(dirs, base_url=base_url, parallel=parallel, on_progress=advance)
    failed = unsyncable = 0
    for r in results:
        click.echo(
            f"{r.run_id}  {r.status:14}  {r.uploaded:5} uploaded  {r.path}"
            + (f"  ({r.message})" if r.message else "")
        )
        failed += r.status == "failed"
        unsyncable += r.status == "unsyncable"
    problems = []
    if failed:
        problems.append(f"{failed} run(s) not fully synced; run `wanllmdb sync` again later")
    if unsyncable:
        problems.append(f"{unsyncable} run dir(s) can never be synced; `wanllmdb sync --prune` removes them")
    if problems:
        raise click.ClickException("; ".join(problems))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def status(paths: tuple[Path, ...]) -> None:
    """Show the server, the key in use, and local runs with data not yet uploaded."""
    from wanllmdb.ingest.uploader import SpoolUploader
    from wanllmdb.sync import find_run_dirs, unsyncable_reason

    s = Settings.resolve()
    _, source = find_api_key(s.base_url, env_key=os.environ.get("WANLLMDB_API_KEY"), data_dir=s.data_dir)
    click.echo(f"server:  {s.base_url}")
    click.echo(f"api key: {source}")
    client = RestClient(s.base_url, s.api_key, timeout_s=3.0)
    try:
        health = client.health()
        click.echo(
            f"health:  {health.get('status')} (backend {health.get('backend')}, {health.get('version')})"
        )
    except (Transient, ApiError) as exc:
        click.echo(f"health:  unreachable ({exc})")
    finally:
        client.close()
    dirs = find_run_dirs(list(paths) or [s.dir])
    pending = dead = 0
    for rd in dirs:
        reason = unsyncable_reason(rd)
        run_id = rd.read_record().get("id")
        if reason is not None:
            dead += 1
            click.echo(f"unsyncable: {run_id}  {rd.path}  ({reason})")
            continue
        up = SpoolUploader(rd, RestClient(s.base_url, None))
        left = up.pending_count()
        up.client.close()
        if left:
            pending += 1
            click.echo(f"pending: {run_id}  {left} item(s)  {rd.path}")
    click.echo(
        f"runs:    {len(dirs)} local, {pending} with data to sync" + (" (wanllmdb sync)" if pending else "")
    )
    if dead:
        click.echo(f"         {dead} that can never be synced (wanllmdb sync --prune removes them)")


@main.command()
@click.argument("query")
@click.option(
    "--limit", default=1000, show_default=True, type=click.IntRange(1, 10_000), help="Rows returned."
)
@click.option("--project", "projects", multiple=True, help="Only these projects (entity/name); repeatable.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@click.option("--base-url", envvar="WANLLMDB_BASE_URL", default=None, help="Server URL (default local).")
def sql(query: str, limit: int, projects: tuple[str, ...], fmt: str, base_url: str | None) -> None:
    """Run read-only SQL over the lake's `metrics` and `runs` tables, e.g.

    wanllmdb sql "SELECT run, max(value) FROM metrics WHERE key = 'loss' GROUP BY run"
    """
    import csv
    import json

    from wanllmdb.api import Api

    overrides = {"base_url": base_url} if base_url else {}
    try:
        with Api(overrides) as api:
            result = api.sql(query, limit=limit, projects=list(projects) or None)
    except ApiError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise click.ClickException(f"{exc.message}{field}") from None
    except Exception as exc:  # an unreachable server is a message, not a traceback
        raise click.ClickException(f"cannot reach the server: {exc}") from None
    columns, rows = result["columns"], result["rows"]
    if fmt == "json":
        click.echo(json.dumps(result))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        cells = [[str(c) for c in columns]] + [["" if v is None else str(v) for v in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        for n, row in enumerate(cells):
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                click.echo("  ".join("-" * w for w in widths))
    for warning in result.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    if result.get("truncated"):
        click.echo(f"(truncated at {limit} rows: raise --limit or aggregate)", err=True)


main.add_command(artifact_commands)
main.add_command(registry_commands)
main.add_command(sweep_command)
main.add_command(agent_command)


# -- server commands -------------------------------------------------------------------------------
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
        from wanllmdb_functions.local_server import PortInUse, serve
    except ImportError as exc:
        raise click.ClickException(
            f"the server needs the 'server' extra ({exc.name} is missing): pip install 'wanllmdb[server]'"
        ) from None
    overrides = {k: v for k, v in {"host": host, "port": port, "data_dir": data_dir}.items() if v is not None}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        serve(settings)
    except PortInUse as exc:
        raise _PortBusy(str(exc)) from None
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


class _PortBusy(click.ClickException):
    """A busy port is a usage problem (choose another), so it exits 2 like a bad option."""

    exit_code = 2


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
    """Manage users, API keys and invitations directly on the configured backend (WANLLMDB_BACKEND, ...)."""
    _server_modules()
    from wanllmdb_functions.core.settings import SettingsError, load_settings

    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        ctx.obj = load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _username(argument: str | None, option: str | None) -> str:
    if argument and option and argument != option:
        raise click.UsageError("give the username once: as an argument or with --username")
    name = argument or option
    if not name:
        raise click.UsageError("missing USERNAME (or --username)")
    return name


@admin.command("create-user")
@click.argument("username", required=False)
@click.option("--username", "username_opt", default=None, help="The same as the USERNAME argument.")
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
    settings: object,
    username: str | None,
    username_opt: str | None,
    email: str | None,
    is_admin: bool,
    password_stdin: bool,
    with_key: bool,
) -> None:
    """Create USERNAME. Prompts for a password on a terminal."""
    from wanllmdb_functions.identity import admin_cli

    name = _username(username, username_opt)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, default="") or None
    try:
        lines = admin_cli.create_user(
            settings, name, email=email, password=password, is_admin=is_admin, with_key=with_key
        )
    except admin_cli.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


@admin.command("create-key")
@click.argument("username", required=False)
@click.option("--username", "username_opt", default=None, help="The same as the USERNAME argument.")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the key by.")
@click.pass_obj
def create_key(settings: object, username: str | None, username_opt: str | None, name: str) -> None:
    """Create an API key for USERNAME and print it. It is shown only this once."""
    from wanllmdb_functions.identity import admin_cli

    user = _username(username, username_opt)
    try:
        click.echo(admin_cli.create_key(settings, user, name=name))
    except admin_cli.AdminError as exc:
        raise click.ClickException(str(exc)) from None


@admin.command("invite")
@click.option("--org", default=None, help="An organization the new user joins.")
@click.option("--role", default=None, help="Their role in --org (default member).")
@click.option("--email", default=None, help="Whom it is for; the new account takes this address.")
@click.option(
    "--ttl-days", default=7, show_default=True, type=click.IntRange(1, 90), help="Days until it expires."
)
@click.pass_obj
def invite(settings: object, org: str | None, role: str | None, email: str | None, ttl_days: int) -> None:
    """Create an invitation and print it. It is shown only this once and creates one account."""
    from wanllmdb_functions.identity import admin_cli

    try:
        lines = admin_cli.invite(settings, org=org, role=role, email=email, ttl_days=ttl_days)
    except admin_cli.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


if __name__ == "__main__":
    sys.exit(main())
