"""The agent's command line from the sweep's ``command`` template, as wandb's agent builds it.

A macro that stands alone as an item expands to a list: ``${env}`` to ``/usr/bin/env`` (nothing on
Windows), ``${interpreter}``, ``${program}``, and the params as ``${args}`` (``--lr=0.1``),
``${args_no_equals}`` (``--lr 0.1``), ``${args_no_hyphens}`` (``lr=0.1``), ``${args_no_boolean_flags}``
(``--flag`` for True, nothing for False), ``${args_json}`` (one JSON argument),
``${args_json_file}`` (the path of a file holding that JSON, which the caller writes),
``${args_append_hydra}`` (``+lr=0.1``) and ``${args_override_hydra}`` (``++lr=0.1``).
``${envvar:NAME}`` is replaced inside any item by the variable's value (by ``NAME`` when unset, as
wandb does). Values print as Python's ``str()``, as wandb's agent prints them: ``True``, ``None``,
and a nested group as a dict (``--optimizer={'lr': 0.1}``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from wanllmdb.sweeps.config import SweepConfig, SweepConfigError

__all__ = ["DEFAULT_COMMAND", "expand_command"]

DEFAULT_COMMAND = ("${env}", "${interpreter}", "${program}", "${args}")
_ENVVAR = re.compile(r"\$\{envvar:([A-Z0-9_]*)\}")


def _arg_lists(params: Mapping[str, Any]) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {
        name: []
        for name in (
            "args",
            "args_no_equals",
            "args_no_hyphens",
            "args_no_boolean_flags",
            "args_append_hydra",
            "args_override_hydra",
        )
    }
    for name, value in params.items():
        flag = f"{name}={value}"
        lists["args"].append(f"--{flag}")
        lists["args_no_equals"] += [f"--{name}", str(value)]
        lists["args_no_hyphens"].append(flag)
        lists["args_append_hydra"].append(f"+{flag}")
        lists["args_override_hydra"].append(f"++{flag}")
        if isinstance(value, bool):
            if value:
                lists["args_no_boolean_flags"].append(f"--{name}")
        else:
            lists["args_no_boolean_flags"].append(f"--{flag}")
    lists["args_json"] = [json.dumps(dict(params))]
    return lists


def expand_command(
    config: SweepConfig,
    params: Mapping[str, Any],
    *,
    program: str | None = None,
    interpreter: str = sys.executable,
    env_prefix: list[str] | None = None,
    args_json_file: str | None = None,
) -> list[str]:
    """The argv for one run. ``env_prefix`` replaces ``${env}``'s ``["/usr/bin/env"]``."""
    template = config.command or DEFAULT_COMMAND
    macros = _arg_lists(params)
    macros["env"] = (
        list(env_prefix) if env_prefix is not None else ([] if os.name == "nt" else ["/usr/bin/env"])
    )
    macros["interpreter"] = [interpreter]
    argv: list[str] = []
    for i, item in enumerate(template):
        if item.startswith("${") and item.endswith("}") and not item.startswith("${envvar:"):
            name = item[2:-1]
            if name == "program":
                prog = program if program is not None else config.program
                if prog is None:
                    raise SweepConfigError(
                        "program", "the command uses ${program}; set program: in the sweep config"
                    )
                argv.append(prog)
            elif name == "args_json_file":
                if args_json_file is None:
                    raise SweepConfigError(
                        f"command[{i}]",
                        "${args_json_file} needs the path of the params file (args_json_file=)",
                    )
                argv.append(args_json_file)
            elif name in macros:
                argv += macros[name]
            else:
                raise SweepConfigError(f"command[{i}]", f"unknown macro {item}")
            continue
        argv.append(_ENVVAR.sub(lambda m: os.environ.get(m.group(1), m.group(1)), item))
    return argv
