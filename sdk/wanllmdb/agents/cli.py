"""`wanllmdb sweep CONFIG` / `wanllmdb sweep --stop|--cancel|--pause|--resume ID` and
`wanllmdb agent [--count N] [-p PROJECT] [-e ENTITY] SWEEP_ID`, with wandb's options.

Imports only click at module level, so `wanllmdb --help` stays quick.
"""

from __future__ import annotations

import sys

import click

__all__ = ["agent", "sweep"]

_ACTIONS = ("stop", "cancel", "pause", "resume")


@click.command()
@click.argument("config_or_id")
@click.option("-p", "--project", default=None, help="Project of the new sweep (default: the config's).")
@click.option("-e", "--entity", default=None, help="Entity (user, organization or team) of the project.")
@click.option("--stop", "action", flag_value="stop", help="Stop ID: no new runs; running ones finish.")
@click.option("--cancel", "action", flag_value="cancel", help="Cancel ID: running runs are stopped too.")
@click.option("--pause", "action", flag_value="pause", help="Pause ID: no new runs until --resume.")
@click.option("--resume", "action", flag_value="resume", help="Resume a paused (or stopped) sweep ID.")
def sweep(config_or_id: str, project: str | None, entity: str | None, action: str | None) -> None:
    """Create a sweep from CONFIG (wandb's sweep YAML), or change the state of sweep ID."""
    from wanllmdb.agents.api import set_sweep_state
    from wanllmdb.agents.api import sweep as create_sweep
    from wanllmdb.errors import UsageError

    try:
        if action is None:
            sweep_id = create_sweep(config_or_id, entity=entity, project=project)
            click.echo(sweep_id)
            return
        changed = set_sweep_state(config_or_id, action)
    except UsageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sweep {changed['id']} is {changed['state']}")


@click.command()
@click.argument("sweep_id")
@click.option("--count", type=click.IntRange(min=1), default=None, help="Run at most N trials, then exit.")
@click.option("-p", "--project", default=None, help="The sweep's project (checked against the sweep).")
@click.option("-e", "--entity", default=None, help="The sweep's entity (checked against the sweep).")
def agent(sweep_id: str, count: int | None, project: str | None, entity: str | None) -> None:
    """Run trials of SWEEP_ID (ID, PROJECT/ID or ENTITY/PROJECT/ID) with the sweep's `command`, until the
    sweep ends. Exits 1 when the sweep does not exist, or when its trials keep failing."""
    from wanllmdb.agents.agent import AgentFailed
    from wanllmdb.agents.api import run_agent
    from wanllmdb.errors import UsageError

    try:
        code = run_agent(sweep_id, count=count, project=project, entity=entity)
    except (AgentFailed, UsageError) as exc:
        click.echo(f"wanllmdb agent: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 1))
    sys.exit(code)
