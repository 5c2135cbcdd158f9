"""W&B's own search engine (the ``sweeps`` package from PyPI) behind engine_stdio's JSON lines protocol,
so ``benchmarks/sweeps.py --wandb-python PYTHON`` compares it with ours in the same run.

Run it with an interpreter whose environment has ``sweeps`` installed (it pins its own numpy, scipy
and scikit-learn, so keep it out of the project's venv): ``python -m venv /tmp/wb && /tmp/wb/bin/pip
install sweeps``. wandb's engine draws from the global ``random`` and ``numpy.random`` states, which
``init`` seeds.
"""

from __future__ import annotations

import json
import os
import random
import sys
import warnings
from typing import Any

warnings.filterwarnings("ignore")
# This file sits beside benchmarks/sweeps.py, which would shadow the `sweeps` package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import numpy as np  # noqa: E402
import sweeps  # noqa: E402


def main() -> None:
    config: dict[str, Any] = {}
    runs: list[Any] = []
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        if op == "close":
            return
        if op == "init":
            config, runs = request["sweep_config"], []
            random.seed(request.get("seed", 0))
            np.random.seed(request.get("seed", 0))
            reply: dict[str, Any] = {"ok": True}
        elif op == "suggest":
            run = sweeps.next_run(config, runs)
            if run is None:
                reply = {"params": None}
            else:
                run.state = sweeps.RunState.running
                runs.append(run)
                reply = {"params": {k: _plain(v["value"]) for k, v in run.config.items()}}
        else:
            params, value = request["params"], float(request["value"])
            metric = config["metric"]["name"]
            for run in runs:
                if (
                    run.state == sweeps.RunState.running
                    and {k: _plain(v["value"]) for k, v in run.config.items()} == params
                ):
                    run.state = sweeps.RunState.finished
                    run.summary_metrics = {metric: value}
                    run.history = [{metric: value}]
                    break
            reply = {"ok": True}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


if __name__ == "__main__":
    main()
