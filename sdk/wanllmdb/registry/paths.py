"""Registry paths as wandb spells them, and the rule that tells them from a project's artifact path.

A link's target (no label), or a registered version (`:label`: vN, latest, an alias or a stage):

    <registry>/<model>                          the default entity's registry
    wandb-registry-<registry>/<model>           wandb's spelling of the same
    <entity>/wandb-registry-<registry>/<model>
    <entity>/<registry>/<model>
    model-registry/<model>                      wandb's legacy model registry: registry `model`

A link target is always a registry. A path to read (`Api().artifact`, `run.use_model`) is a registry's
when it says so (the `wandb-registry-` prefix or `model-registry`); any other `a/b:label` or
`e/a/b:label` is a project's artifact first, and a registry's only when that project does not exist
(resolve.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from wanllmdb.errors import UsageError

__all__ = [
    "LEGACY_MODEL_REGISTRY",
    "REGISTRY_PREFIX",
    "RegistryPath",
    "names_registry",
    "parse_registry",
    "parse_registry_path",
]

REGISTRY_PREFIX = "wandb-registry-"
LEGACY_MODEL_REGISTRY = "model-registry"
MAX_REGISTRY_CHARS = 64
MAX_MODEL_CHARS = 128
_FORMS = (
    "'registry/model', 'wandb-registry-registry/model', 'entity/wandb-registry-registry/model' "
    "or 'entity/registry/model'"
)


@dataclass(frozen=True)
class RegistryPath:
    registry: str
    model: str
    entity: str | None = None
    label: str | None = None

    def ref(self, default_entity: str) -> str:
        """The `{registry}` of a route: `entity:name`."""
        return f"{self.entity or default_entity}:{self.registry}"

    def with_entity(self, entity: str) -> RegistryPath:
        return RegistryPath(self.registry, self.model, self.entity or entity, self.label)

    def __str__(self) -> str:
        head = f"{self.entity}/" if self.entity else ""
        tail = f":{self.label}" if self.label else ""
        return f"{head}{self.registry}/{self.model}{tail}"


def names_registry(segment: str) -> bool:
    """`wandb-registry-<name>` or `model-registry`: a segment that can only mean a registry."""
    return segment.startswith(REGISTRY_PREFIX) or segment == LEGACY_MODEL_REGISTRY


def registry_name(segment: str) -> str:
    """A registry's own name: without wandb's prefix; `model-registry` is registry `model`."""
    if segment == LEGACY_MODEL_REGISTRY:
        return "model"
    name = segment[len(REGISTRY_PREFIX) :] if segment.startswith(REGISTRY_PREFIX) else segment
    return _check(name, "registry", MAX_REGISTRY_CHARS)


def _check(value: str, what: str, limit: int) -> str:
    if not value or len(value) > limit:
        raise UsageError(f"{what} name {value!r}: use 1..{limit} characters")
    bad = sorted({c for c in value if c in "/:#" or not c.isprintable() or c.isspace()})
    if bad:
        raise UsageError(
            f"{what} name {value!r} holds {', '.join(repr(c) for c in bad)}; "
            "use letters, digits, '-', '_' or '.'"
        )
    return value


def parse_registry(text: str) -> tuple[str | None, str]:
    """`registry`, `wandb-registry-registry`, `entity/registry` → (entity or None, registry name)."""
    parts = text.strip("/").split("/") if isinstance(text, str) else []
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise UsageError(f"registry {text!r}: use 'registry', 'wandb-registry-registry' or 'entity/registry'")
    return (parts[0] if len(parts) == 2 else None), registry_name(parts[-1])


def parse_registry_path(path: str, *, label: bool) -> RegistryPath:
    """A target (`label=False`: a `:label` is refused) or a version (`label=True`, default `latest`)."""
    if not isinstance(path, str) or not path:
        raise UsageError(f"registry path {path!r}: use {_FORMS}")
    parts = path.strip("/").split("/")
    if not 2 <= len(parts) <= 3 or not all(parts):
        raise UsageError(f"registry path {path!r}: use {_FORMS}")
    model, sep, tag = parts[-1].partition(":")
    if sep and not label:
        raise UsageError(
            f"link target {path!r} names a version (':{tag}'); link to the registered model "
            f"('{path.rpartition(':')[0]}') and give aliases with aliases=[...] or --alias"
        )
    if sep and not tag:
        raise UsageError(f"registry path {path!r}: nothing after ':'")
    entity = parts[0] if len(parts) == 3 else None
    return RegistryPath(
        registry_name(parts[-2]),
        _check(model, "registered model", MAX_MODEL_CHARS),
        entity,
        (tag or "latest") if label else None,
    )
