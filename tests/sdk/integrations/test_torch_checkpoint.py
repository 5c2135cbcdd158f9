"""wanllmdb.integration.torch.log_checkpoint: a model's state dict as a ``model`` artifact, logged to a real
local server and loaded back; checkpoints logged back to back keep their order and their own bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.sdk.integrations.conftest import Landed
from wanllmdb.errors import UsageError
from wanllmdb.integration.torch import log_checkpoint
from wanllmdb.run import Run


@pytest.mark.slow
def test_checkpoints_logged_back_to_back_are_versions_in_call_order_with_their_own_weights(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    run = online_run()
    weights = []
    for step in range(3):
        with torch.no_grad():
            model.weight.fill_(float(step))
        weights.append(model.weight.clone())
        aliases = ["best"] if step == 1 else None
        log_checkpoint(model, name="linear", aliases=aliases, metadata={"step": step})
    log_checkpoint({"model": model.state_dict(), "epoch": 3}, filename="full.pt")  # a dict of your own
    out = landed(run)

    for step in range(3):
        version = out.artifact(f"linear:v{step}")
        assert version.type == "model" and version.metadata == {"step": step}
        state = torch.load(Path(version.download(root=str(tmp_path / f"v{step}"))) / "model.pt")
        assert torch.equal(state["weight"], weights[step])  # never the bytes of a later call
    assert out.artifact("linear:best").version == "v1"
    assert out.artifact("linear:latest").version == "v2"
    full = out.artifact(f"model-{run.id}:latest")
    assert torch.load(Path(full.download(root=str(tmp_path / "full"))) / "full.pt")["epoch"] == 3


def test_log_checkpoint_needs_a_run_and_a_module_or_state_dict(offline_run: Callable[..., Run]) -> None:
    with pytest.raises(UsageError, match=r"init\(\) before log_checkpoint"):
        log_checkpoint(nn.Linear(1, 1))
    offline_run()
    with pytest.raises(UsageError, match=r"torch\.nn\.Module or a state dict, got list"):
        log_checkpoint([1, 2])  # type: ignore[arg-type]
