"""`wanllmdb registry ls|link|promote|request|approve|reject|cancel|requests|deploy`.

Paths are wandb's (paths.py): `[entity/]registry/model:label`, `wandb-registry-` optional; a label is
vN, latest, an alias or a stage. Imports only click at module level, so `wanllmdb --help` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from wanllmdb.registry.api import RegistryClient
    from wanllmdb.registry.paths import RegistryPath

__all__ = ["registry"]

STAGES = ("Development", "Staging", "Production", "Archived")
STATUSES = ("pending", "approved", "rejected", "cancelled", "all")

_base_url = click.option("--base-url", envvar="WANLLMDB_BASE_URL", default=None, help="Server URL.")


def _client(base_url: str | None) -> RegistryClient:
    from wanllmdb.registry.api import RegistryClient
    from wanllmdb.settings import Settings

    return RegistryClient(Settings.resolve({"base_url": base_url} if base_url else None), None)


def _fail(exc: Exception) -> click.ClickException:
    from wanllmdb.errors import UsageError

    if isinstance(exc, UsageError):
        return click.UsageError(str(exc))
    message = getattr(exc, "message", None) or str(exc)
    field = getattr(exc, "field", None)
    return click.ClickException(f"{message} ({field})" if field else message)


def _version_path(text: str) -> RegistryPath:
    from wanllmdb.registry.paths import parse_registry_path

    try:
        return parse_registry_path(text, label=True)
    except Exception as exc:
        raise click.BadParameter(f"{exc} (e.g. model/classifier:v1)", param_hint="MODEL_PATH:LABEL") from None


def _stage(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A stage in any case (`production`), named as the server spells it; an unknown one names all."""
    if value is None:
        return None
    for stage in STAGES:
        if stage.lower() == value.strip().lower():
            return stage
    raise click.BadParameter(f"unknown stage {value!r}: use one of {', '.join(STAGES)}")


def _one_target(stage: str | None, alias: str | None) -> None:
    if stage and alias:
        raise click.UsageError("give --stage or --alias, not both (one request moves one of them)")
    if not stage and not alias:
        raise click.UsageError(f"say where to: --stage STAGE ({', '.join(STAGES)}) or --alias ALIAS")


_stage_option = click.option(
    "--stage", default=None, callback=_stage, help=f"A lifecycle stage: {', '.join(STAGES)}."
)
_alias_option = click.option("--alias", default=None, help="An alias to move onto the version.")


@click.group()
def registry() -> None:
    """The model registry: registered models, stages, aliases, approval requests and deployments."""


@registry.command("ls")
@click.argument("name", metavar="[REGISTRY]", required=False)
@click.option("--entity", default=None, help="Whose registries (default: yours).")
@_base_url
def ls(name: str | None, entity: str | None, base_url: str | None) -> None:
    """List the registries, or REGISTRY's registered models with their stages and aliases."""
    try:
        client = _client(base_url)
        if name is None:
            found = client.registries(entity)
            for r in found:
                about = (r.description.strip().splitlines() or [""])[0]
                click.echo(f"{r.entity}/{r.name:24}  {r.model_count:>5} models  {about}".rstrip())
            if not found:
                click.echo("No registries yet: `wanllmdb registry link ARTIFACT REGISTRY/MODEL` creates one.")
            return
        for m in client.registry(name, entity).collections():
            stages = "  ".join(f"{s}: {','.join(v)}" for s, v in m.stages.items() if v)
            aliases = ",".join(f"{a}={v}" for a, v in sorted(m.aliases.items()))
            click.echo(
                f"{m.name:32}  {m.version_count:>4} versions  latest {m.latest or '-':5}  "
                f"{stages or 'Development only'}" + (f"  aliases {aliases}" if aliases else "")
            )
    except click.ClickException:
        raise
    except Exception as exc:
        raise _fail(exc) from None


@registry.command()
@click.argument("artifact_path")
@click.argument("target")
@click.option(
    "--alias", "-a", "aliases", multiple=True, help="An alias for the registered version (repeatable)."
)
@click.option("--force", is_flag=True, help="Link an artifact whose type the registry does not take.")
@_base_url
def link(
    artifact_path: str, target: str, aliases: tuple[str, ...], force: bool, base_url: str | None
) -> None:
    """Link ARTIFACT_PATH (entity/project/name:vN) into TARGET (registry/model or entity/registry/model)."""
    from wanllmdb.api import Api
    from wanllmdb.registry.linked import linked_artifact
    from wanllmdb.registry.linking import link_version, owner_of
    from wanllmdb.registry.paths import parse_registry_path

    try:
        where = parse_registry_path(target, label=False)
        with Api({"base_url": base_url} if base_url else {}) as api:
            artifact = api.artifact(artifact_path)
        ctx = artifact._logged()
        entity = where.entity or owner_of(artifact) or ctx.entity
        wanted = sorted({a for a in aliases if a != "latest"})
        version = link_version(ctx, artifact, where.with_entity(entity), wanted, force=force)
        linked = linked_artifact(ctx, version, entity=entity, registry=where.registry)
    except click.ClickException:
        raise
    except Exception as exc:
        raise _fail(exc) from None
    verb = "linked" if version.get("created", True) else "already linked"
    click.echo(
        f"{verb} {artifact.source_name} → {entity}/{where.registry}/{linked.name}  "
        f"stage {linked.stage}  aliases {','.join(linked.aliases)}"
    )


@registry.command()
@click.argument("model_path", metavar="MODEL_PATH:LABEL")
@_stage_option
@_alias_option
@click.option("--comment", default="", help="Why (kept in the model's timeline).")
@_base_url
def promote(
    model_path: str, stage: str | None, alias: str | None, comment: str, base_url: str | None
) -> None:
    """Move a version to a stage, or an alias onto it, directly. Protected stages and aliases move
    directly only for registry admins: everyone else asks with `wanllmdb registry request`."""
    from wanllmdb.rest import ApiError

    _one_target(stage, alias)
    path = _version_path(model_path)
    try:
        client = _client(base_url)
        if stage:
            answer = client.set_stage(path, stage, comment)
        else:
            answer = client.change_aliases(path, add=[str(alias)])
    except ApiError as exc:
        if exc.status == 403:
            flag = f"--stage {stage}" if stage else f"--alias {alias}"
            raise click.ClickException(
                f"{exc.message}. Ask for it instead: wanllmdb registry request {model_path} {flag} "
                "--comment 'why'"
            ) from None
        raise _fail(exc) from None
    except Exception as exc:
        raise _fail(exc) from None
    aliases = ",".join(answer.get("aliases") or [])
    click.echo(f"{path.model}:{answer.get('version')}  stage {answer.get('stage')}  aliases {aliases}")


@registry.command()
@click.argument("model_path", metavar="MODEL_PATH:LABEL")
@_stage_option
@_alias_option
@click.option("--comment", required=True, help="Why: the reviewers read it.")
@_base_url
def request(
    model_path: str, stage: str | None, alias: str | None, comment: str, base_url: str | None
) -> None:
    """Ask the registry's reviewers to move a version to a stage, or an alias onto it."""
    _one_target(stage, alias)
    path = _version_path(model_path)
    try:
        answer = _client(base_url).request(path, stage=stage, alias=alias, comment=comment)
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(f"request {answer['id']} {answer['status']}: {_describe(answer)}")
    hint = f"wanllmdb registry approve {answer['id']} --registry {_registry_of(answer)}"
    click.echo(f"a reviewer approves it with: {hint}")


def _describe(req: dict[str, Any]) -> str:
    return f"{req['model']}:{req['version']} → {req['target_kind']} {req['target']}"


def _registry_of(req: dict[str, Any]) -> str:
    return f"{req['entity']}/{req['registry']}"


def _review(verdict: str, request_id: str, registry_name: str, comment: str, base_url: str | None) -> None:
    try:
        answer = _client(base_url).review(registry_name, request_id, verdict, comment)
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(f"request {answer['id']} {answer['status']}: {_describe(answer)}")


_registry_option = click.option(
    "--registry", "registry_name", required=True, help="The request's registry: REGISTRY or ENTITY/REGISTRY."
)


@registry.command()
@click.argument("request_id")
@_registry_option
@click.option("--comment", default="", help="A note for the requester.")
@_base_url
def approve(request_id: str, registry_name: str, comment: str, base_url: str | None) -> None:
    """Approve a pending request: the stage or alias moves now."""
    _review("approve", request_id, registry_name, comment, base_url)


@registry.command()
@click.argument("request_id")
@_registry_option
@click.option("--comment", required=True, help="Why not: required, the requester reads it.")
@_base_url
def reject(request_id: str, registry_name: str, comment: str, base_url: str | None) -> None:
    """Reject a pending request: nothing moves."""
    _review("reject", request_id, registry_name, comment, base_url)


@registry.command()
@click.argument("request_id")
@_registry_option
@click.option("--comment", default="", help="Why it is withdrawn.")
@_base_url
def cancel(request_id: str, registry_name: str, comment: str, base_url: str | None) -> None:
    """Withdraw your own pending request."""
    _review("cancel", request_id, registry_name, comment, base_url)


@registry.command("requests")
@click.option(
    "--registry", "registry_name", default=None, help="One registry's (default: your review inbox)."
)
@click.option("--status", type=click.Choice(STATUSES), default="pending", show_default=True)
@click.option("--model", default=None, help="Only this registered model's (with --registry).")
@_base_url
def list_requests(registry_name: str | None, status: str, model: str | None, base_url: str | None) -> None:
    """List promotion requests: your review inbox, or those of one registry."""
    if model and not registry_name:
        raise click.UsageError("--model needs --registry: say whose model it is")
    if status != "pending" and not registry_name:
        raise click.UsageError(
            f"--status {status} needs --registry: your review inbox holds only pending requests"
        )
    try:
        found = _client(base_url).requests(
            registry_name, status=None if status == "all" else status, model=model
        )
    except Exception as exc:
        raise _fail(exc) from None
    for r in found:
        click.echo(
            f"{r['id']}  {r['status']:9}  {_registry_of(r)}  {_describe(r)}  by {r['requested_by']}  "
            f"{r['created_at']}  {r.get('comment') or ''}".rstrip()
        )
    if not found:
        click.echo(f"No {'' if status == 'all' else status + ' '}requests.")


@registry.command()
@click.argument("model_path", metavar="MODEL_PATH:LABEL")
@click.option("--target", required=True, help="Where it runs, e.g. sagemaker:prod-eu.")
@click.option("--url", default=None, help="An http(s) link to the deployment.")
@_base_url
def deploy(model_path: str, target: str, url: str | None, base_url: str | None) -> None:
    """Record that a version was deployed to TARGET (shown on the version's links)."""
    path = _version_path(model_path)
    try:
        _client(base_url).deploy(path, target, url)
    except Exception as exc:
        raise _fail(exc) from None
    click.echo(f"{path.model}:{path.label} deployed to {target}" + (f" ({url})" if url else ""))
