"""Item keys of the model registry. One partition per registry holds its models, versions, requests and
timeline, so a model's versions, a registry's requests and a model's history are one query each. The
model item carries the model's aliases and stage holders, so every move of either is one conditional
write of that item (its `rev`), which serialises the moves of one model."""

from __future__ import annotations

__all__ = [
    "MODEL_PREFIX",
    "REQUEST_PREFIX",
    "by_entity",
    "deployment",
    "deployments_prefix",
    "evaluation",
    "evaluations_prefix",
    "meta",
    "model",
    "name_claim",
    "open_request",
    "pending_of",
    "registry_of",
    "request",
    "source_link",
    "timeline_entry",
    "timeline_prefix",
    "version",
    "versions_prefix",
]

MODEL_PREFIX = "RM#"
VERSION_PREFIX = "RMV#"
SOURCE_PREFIX = "RMSRC#"
REQUEST_PREFIX = "RMREQ#"
TIMELINE_PREFIX = "RMT#"
EVALUATION_PREFIX = "RMEVAL#"
DEPLOYMENT_PREFIX = "RMDEP#"


def registry_of(registry_id: str) -> str:
    return f"REGISTRY#{registry_id}"


def meta(registry_id: str) -> tuple[str, str]:
    return registry_of(registry_id), "META"


def name_claim(entity: str, name: str) -> tuple[str, str]:
    """Unique (entity, name), created with the registry in one transaction; holds its id."""
    return f"REGISTRYNAME#{entity}/{name}", "REGISTRYNAME"


def by_entity(entity: str) -> str:
    """gsi1 partition of the registry items: an entity's registries, by name."""
    return f"REGISTRIESOF#{entity}"


def pending_of(registry_id: str) -> str:
    """gsi1 partition of the pending requests of a registry: a reviewer's inbox reads only these."""
    return f"RMPENDING#{registry_id}"


def model(registry_id: str, name: str) -> tuple[str, str]:
    return registry_of(registry_id), f"{MODEL_PREFIX}{name}"


def version(registry_id: str, name: str, index: int) -> tuple[str, str]:
    # Zero-padded so versions sort by number within a model.
    return registry_of(registry_id), f"{VERSION_PREFIX}{name}#{index:010d}"


def versions_prefix(name: str) -> str:
    return f"{VERSION_PREFIX}{name}#"


def source_link(registry_id: str, name: str, source_id: str) -> tuple[str, str]:
    """(model, artifact version) → the registered version that links it: makes linking idempotent."""
    return registry_of(registry_id), f"{SOURCE_PREFIX}{name}#{source_id}"


def request(registry_id: str, request_id: str) -> tuple[str, str]:
    return registry_of(registry_id), f"{REQUEST_PREFIX}{request_id}"


def open_request(registry_id: str, name: str, index: int, kind: str, target: str) -> tuple[str, str]:
    """The pending request for one move, while it is pending: asking twice returns the same request."""
    return registry_of(registry_id), f"RMOPEN#{name}#{index:010d}#{kind}#{target}"


def timeline_entry(registry_id: str, name: str, at: str, entry_id: str) -> tuple[str, str]:
    return registry_of(registry_id), f"{TIMELINE_PREFIX}{name}#{at}#{entry_id}"


def timeline_prefix(name: str) -> str:
    return f"{TIMELINE_PREFIX}{name}#"


def evaluation(registry_id: str, name: str, index: int, run_id: str, table: str | None) -> tuple[str, str]:
    # One per (run, table): adding the same evaluation twice keeps one.
    return registry_of(registry_id), f"{evaluations_prefix(name, index)}{run_id}#{table or ''}"


def evaluations_prefix(name: str, index: int) -> str:
    return f"{EVALUATION_PREFIX}{name}#{index:010d}#"


def deployment(registry_id: str, name: str, index: int, at: str, entry_id: str) -> tuple[str, str]:
    return registry_of(registry_id), f"{deployments_prefix(name, index)}{at}#{entry_id}"


def deployments_prefix(name: str, index: int) -> str:
    return f"{DEPLOYMENT_PREFIX}{name}#{index:010d}#"
