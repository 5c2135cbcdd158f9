"""``run.config``: nested, attribute- and item-accessible, guarded against accidental changes."""

from __future__ import annotations

import argparse
import copy
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from wanllmdb.errors import ConfigChangeError, InvalidValue, UsageError

__all__ = ["Config", "load_config_source"]

_MISSING = object()


def load_config_source(source: object) -> dict[str, Any]:
    """A dict, an argparse Namespace, or a YAML path (plain, or wandb's ``{key: {value: ...}}`` form)."""
    if source is None:
        return {}
    if isinstance(source, argparse.Namespace):
        return dict(vars(source))
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise InvalidValue(f"config={str(source)!r}: no such YAML file", key="config")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise InvalidValue(f"config={str(source)!r}: the YAML must be a mapping", key="config")
        data.pop("wandb_version", None)
        if data and all(isinstance(v, dict) and "value" in v for v in data.values()):
            data = {k: v["value"] for k, v in data.items()}
        return data
    if isinstance(source, Mapping):
        return dict(source)
    raise InvalidValue(
        f"config: got a {type(source).__name__}; pass a dict, an argparse.Namespace or a YAML file path",
        key="config",
    )


def _plain(key: str, value: Any) -> Any:
    """JSON-ready copy of ``value``; numpy scalars and tuples become Python ones, the rest must be JSON."""
    if isinstance(value, Config):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(f"{key}.{k}", v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(key, v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Path):
        return str(value)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", 0) == 0:
        return _plain(key, item())
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _plain(key, tolist())
    try:
        json.dumps(value)
    except TypeError as exc:
        raise InvalidValue(
            f"config[{key!r}] is a {type(value).__name__}, which is not JSON; store a str, number, bool, "
            f"list or dict instead",
            key=key,
        ) from exc
    return value


class Config:
    """Reads like a dict and like attributes: ``config.lr``, ``config["optim"]["b"]``, ``config.optim.b``.

    Every change is reported to ``on_change`` (the run forwards it to the server from its own thread).
    """

    def __init__(
        self,
        on_change: Callable[[dict[str, Any], bool], None] | None = None,
        *,
        allow_val_change: bool = False,
    ) -> None:
        object.__setattr__(self, "_allow_all", allow_val_change)  # init(allow_val_change=True)
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_path", "")

    @classmethod
    def _view(cls, data: dict[str, Any], root: Config, path: str) -> Config:
        view = cls(None)
        object.__setattr__(view, "_data", data)
        object.__setattr__(view, "_lock", root._lock)
        object.__setattr__(view, "_root", root)
        object.__setattr__(view, "_path", path)
        return view

    # -- writes -------------------------------------------------------------------------------------
    def update(
        self,
        d: Mapping[str, Any] | argparse.Namespace | None = None,
        allow_val_change: bool = False,
        **kwargs: Any,
    ) -> None:
        changes = load_config_source(d) if d is not None else {}
        changes.update(kwargs)
        self._apply(changes, allow_val_change=allow_val_change, only_missing=False)

    def setdefaults(self, d: Mapping[str, Any]) -> None:
        """Set the keys that are not set yet; existing values win (for sweeps that pre-fill config)."""
        self._apply(dict(d), allow_val_change=False, only_missing=True)

    def _apply(self, changes: dict[str, Any], *, allow_val_change: bool, only_missing: bool) -> None:
        root: Config = getattr(self, "_root", self)
        allow_val_change = allow_val_change or root._allow_all
        prefix = self._path
        with root._lock:
            applied: dict[str, Any] = {}
            plan: list[tuple[dict[str, Any], str, Any]] = []
            for key, value in changes.items():
                full = f"{prefix}{key}"
                if not isinstance(key, str) or not key:
                    raise InvalidValue(f"config: key {key!r} must be a non-empty string", key=str(key))
                new = _plain(full, value)
                old = self._data.get(key, _MISSING)
                if old is not _MISSING:
                    if only_missing or old == new:
                        continue
                    if isinstance(old, dict) and isinstance(new, dict):
                        # Dry run on a copy, so a refused nested change leaves nothing half-applied.
                        _deep_merge(
                            copy.deepcopy(old), new, path=f"{full}.", allow_val_change=allow_val_change
                        )
                    elif not allow_val_change:
                        raise ConfigChangeError(full, old, new)
                plan.append((self._data, key, new))
                applied[key] = new
            for data, key, new in plan:
                old = data.get(key)
                if isinstance(old, dict) and isinstance(new, dict):
                    _deep_merge(old, new, path=f"{prefix}{key}.", allow_val_change=allow_val_change)
                else:
                    data[key] = new
        if applied and root._on_change is not None:
            root._on_change(_nest(prefix, applied), allow_val_change)

    def __setitem__(self, key: str, value: Any) -> None:
        self._apply({key: value}, allow_val_change=False, only_missing=False)

    def __setattr__(self, key: str, value: Any) -> None:
        self._apply({key: value}, allow_val_change=False, only_missing=False)

    # -- reads --------------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        if isinstance(value, dict):
            return Config._view(value, getattr(self, "_root", self), f"{self._path}{key}.")
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"config has no key {self._path}{key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._data else default

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[str]:
        return list(self._data)

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in self._data]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(json.dumps(self._data))
        return data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return self._data == other._data
        return isinstance(other, Mapping) and self._data == dict(other)

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


class PreInitConfig(Config):
    """``wanllmdb.config`` while no run is active: empty, and every write is refused.

    A value set here would belong to no run and vanish at ``init()``; wandb refuses it too.
    """

    def _apply(self, changes: dict[str, Any], *, allow_val_change: bool, only_missing: bool) -> None:
        keys = ", ".join(repr(k) for k in changes) or "nothing"
        raise UsageError(
            f"wanllmdb.config was changed ({keys}) with no active run: call wanllmdb.init() first, "
            "or pass the values as init(config=...)"
        )


def _deep_merge(old: dict[str, Any], new: dict[str, Any], *, path: str, allow_val_change: bool) -> None:
    for key, value in new.items():
        cur = old.get(key, _MISSING)
        if isinstance(cur, dict) and isinstance(value, dict):
            _deep_merge(cur, value, path=f"{path}{key}.", allow_val_change=allow_val_change)
        elif cur is not _MISSING and cur != value and not allow_val_change:
            raise ConfigChangeError(f"{path}{key}", cur, value)
        else:
            old[key] = value


def _nest(prefix: str, changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = changes
    for part in reversed([p for p in prefix.split(".") if p]):
        out = {part: out}
    return out
