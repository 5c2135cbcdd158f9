"""watch()/unwatch() on a real PyTorch model (the CPU build in the dev extra): wandb's keys and sampling,
histograms equal to numpy's, no host sync on the training thread, and hooks that go away."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import OfflineRun, admin_key, lake_table, read_stream
from wanllmdb.run import Run

torch = pytest.importorskip("torch")
nn = torch.nn

from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

from wanllmdb.integration.torch import launch_histograms  # noqa: E402
from wanllmdb.integration.torch.histograms import histogram_edges  # noqa: E402

CONTRACT = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "media_descriptors.json").read_text()
)
PARAMS = ("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias")


def mlp() -> Any:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))


def train(model: Any, run: Run, steps: int, *, optimize: bool = True) -> None:
    """One forward, backward (and SGD step) and log() per step, as a training loop does."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        loss = model(torch.randn(5, 12)).pow(2).mean()
        loss.backward()
        if optimize:
            opt.step()
        run.log({"loss": loss.detach()})


def media(run: Run) -> dict[tuple[int, str], dict[str, Any]]:
    assert run.dir is not None
    table = read_stream(run.dir, "history")
    cols = (table[c].to_pylist() for c in ("step", "key", "media"))
    return {(s, k): json.loads(m) for s, k, m in zip(*cols, strict=True) if m is not None}


def hooks_left(model: Any) -> int:
    count = 0
    for module in model.modules():
        count += len(module._forward_hooks) + len(module._forward_pre_hooks) + len(module._backward_hooks)
    for param in model.parameters():
        count += len(param._post_accumulate_grad_hooks or {}) + len(param._backward_hooks or {})
    return count


def assert_matches_numpy(descriptor: dict[str, Any], tensor: Any) -> None:
    """numpy's histogram of the finite values over [min, max]: the same 65 edges and 64 counts."""
    a = tensor.detach().double().numpy().ravel()
    finite = a[np.isfinite(a)]
    counts, edges = np.histogram(finite, bins=64, range=(finite.min(), finite.max()))
    assert descriptor["bins"] == edges.tolist()
    assert descriptor["values"] == counts.tolist()
    assert sum(descriptor["values"]) == finite.size
    assert descriptor["nonfinite"] == {
        "nan": int(np.isnan(a).sum()),
        "inf": int(np.isposinf(a).sum()),
        "-inf": int(np.isneginf(a).sum()),
    }


# -- keys, steps and values ----------------------------------------------------------------------------
def test_parameters_and_gradients_land_every_log_freq_steps_under_wandbs_keys(
    offline_run: OfflineRun,
) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=3)
    train(model, run, 10)
    run.finish()
    rows = media(run)
    # wandb counts calls from 1 and logs at call log_freq, 2 * log_freq...: calls 3, 6, 9 are steps 2, 5, 8.
    expected = {(s, f"{kind}/{p}") for s in (2, 5, 8) for kind in ("parameters", "gradients") for p in PARAMS}
    assert set(rows) == expected
    for (_, key), d in rows.items():
        assert d["_type"] == "histogram" and len(d["bins"]) == 65 and len(d["values"]) == 64
        assert set(d) - {"_type"} == set(CONTRACT["types"]["histogram"]["fields"])
        numel = dict(model.named_parameters())[key.split("/", 1)[1]].numel()
        assert sum(d["values"]) == numel - sum(d["nonfinite"].values())
    assert run.summary["gradients/0.weight"]["_type"] == "histogram"


def test_histograms_equal_numpys_for_the_parameters_and_gradients_of_the_step(
    offline_run: OfflineRun,
) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=4)
    train(model, run, 4, optimize=False)  # parameters stay put; the 4th backward's gradients stay in .grad
    run.finish()
    rows = media(run)
    for name, param in model.named_parameters():
        assert_matches_numpy(rows[(3, f"parameters/{name}")], param)
        assert_matches_numpy(rows[(3, f"gradients/{name}")], param.grad)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
def test_the_batched_histograms_equal_numpys_for_every_dtype_and_odd_tensor(dtype: Any) -> None:
    torch.manual_seed(1)
    nan, inf = float("nan"), float("inf")
    tensors = [
        torch.randn(300, 7, dtype=dtype),
        torch.tensor([1.0, nan, inf, -inf, 2.0, inf], dtype=dtype),
        torch.randn(1, dtype=dtype) * 1e3,
        torch.arange(64, dtype=dtype),  # values on the edges themselves: the last bin is closed
    ]
    for tensor, histogram in zip(tensors, launch_histograms(tensors).wait(), strict=True):
        assert_matches_numpy(histogram.descriptor(), tensor)


def test_constant_empty_and_all_nan_tensors_follow_numpys_ranges() -> None:
    constant, empty, nans = torch.full((5,), 3.0), torch.empty(0), torch.full((3,), float("nan"))
    one, none, all_nan = launch_histograms([constant, empty, nans]).wait()
    assert one.edges == np.histogram(np.full(5, 3.0), bins=64)[1].tolist()  # 2.5 .. 3.5
    assert one.counts[32] == 5 and sum(one.counts) == 5
    assert none.edges == all_nan.edges == np.histogram([], bins=64)[1].tolist()  # 0 .. 1
    assert sum(none.counts) == sum(all_nan.counts) == 0
    assert all_nan.nonfinite == {"nan": 3, "inf": 0, "-inf": 0}
    assert histogram_edges(0.0, 1.0) == np.linspace(0.0, 1.0, 65).tolist()


def test_tensors_larger_than_one_pass_are_split_into_several(offline_run: OfflineRun) -> None:
    tensors = [torch.randn(1000), torch.randn(10), torch.randn(2500)]
    whole = launch_histograms(tensors).wait()
    split = launch_histograms(tensors, chunk_elements=1200).wait()
    assert whole == split


# -- what log= selects --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("log", "kinds"), [("parameters", {"parameters"}), ("gradients", {"gradients"}), (None, set())]
)
def test_log_selects_parameters_or_gradients_and_none_logs_only_the_graph(
    offline_run: OfflineRun, log: str | None, kinds: set[str]
) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log=log, log_freq=2, log_graph=True)
    train(model, run, 4)
    run.finish()
    rows = media(run)
    assert {k.split("/")[0] for _, k in rows if k != "graph_0"} == kinds
    assert (0, "graph_0") in rows


def test_the_default_logs_gradients_every_1000_calls_as_wandb(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    wanllmdb.watch(model)
    train(model, run, 5)
    run.finish()
    assert media(run) == {}


def test_a_second_model_gets_wandbs_graph_prefix(offline_run: OfflineRun) -> None:
    run, first, second = offline_run(), mlp(), nn.Linear(12, 12)
    run.watch((second, first), log="parameters", log_freq=1)
    second(torch.randn(2, 12))
    first(torch.randn(2, 12))
    run.finish()
    assert {k for _, k in media(run)} == {"parameters/weight", "parameters/bias"} | {
        f"parameters/graph_1{p}" for p in PARAMS
    }


def test_log_activations_histograms_each_leaf_modules_output(offline_run: OfflineRun) -> None:
    run, model = offline_run(), nn.Sequential(nn.Linear(12, 6), nn.ReLU(inplace=True))
    run.watch(model, log=None, log_freq=2, log_activations=True)
    x = torch.randn(4, 12)
    for _ in range(2):
        model(x)
    run.finish()
    rows = media(run)
    linear = torch.nn.functional.linear(x, model[0].weight, model[0].bias)
    # Taken as the Linear returned: the in-place ReLU after it does not change what was measured.
    assert_matches_numpy(rows[(0, "activations/0")], linear)
    assert_matches_numpy(rows[(0, "activations/1")], linear.relu())
    assert hooks_left(model) == 0


# -- refusals ---------------------------------------------------------------------------------------------
def test_watching_a_model_twice_raises_wandbs_error(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model)
    with pytest.raises(ValueError, match="only call `watch` once per model"):
        run.watch(model)
    with pytest.raises(ValueError, match="only call `watch` once per model"):
        run.watch((nn.Linear(1, 1), model))
    run.unwatch(model)
    run.watch(model)  # after unwatch() it may be watched again


def test_watch_refuses_what_is_not_a_module_and_a_bad_log(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.raises(
        wanllmdb.InvalidValue, match=r"watch\(models=...\): expected a torch.nn.Module.*got dict"
    ):
        run.watch({"w": 1})
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        wanllmdb.watch([mlp(), "not a model"])
    with pytest.raises(ValueError, match=r"watch\(log='weights'\): use one of 'gradients', 'parameters'"):
        run.watch(mlp(), log="weights")
    with pytest.raises(ValueError, match="log_freq=0"):
        run.watch(mlp(), log_freq=0)


def test_module_level_watch_without_a_run_is_the_usual_usage_error() -> None:
    with pytest.raises(wanllmdb.UsageError, match=r"no active run: call wanllmdb.init\(\) first"):
        wanllmdb.watch(mlp())
    with pytest.raises(wanllmdb.UsageError, match="no active run"):
        wanllmdb.unwatch()


def test_watch_after_finish_is_refused(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.finish()
    with pytest.raises(wanllmdb.UsageError, match="after finish"):
        run.watch(mlp())


def test_a_histogram_torch_refuses_warns_once_and_never_breaks_training(
    offline_run: OfflineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(tensors: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no kernel for this tensor type")

    monkeypatch.setattr("wanllmdb.integration.torch.watch.launch_histograms", refuse)
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=1, log_activations=True)
    with pytest.warns(RuntimeWarning, match="some histograms were skipped") as caught:
        train(model, run, 3)
    assert len([w for w in caught if "skipped" in str(w.message)]) == 1
    run.finish()
    assert media(run) == {}


# -- hooks go away -------------------------------------------------------------------------------------
def test_unwatch_removes_every_hook_and_stops_the_rows(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=2, log_activations=True)
    train(model, run, 4)
    model(torch.randn(1, 12))  # the 5th call: no sample
    model(torch.randn(1, 12))  # the 6th: parameters and activations now, gradient hooks armed
    assert hooks_left(model) > 1
    wanllmdb.unwatch(model)
    assert hooks_left(model) == 0
    train(model, run, 6)  # its backward has no hook to fire
    run.finish()
    rows = media(run)
    assert {s for s, _ in rows} == {1, 3, 4}
    assert {k.split("/")[0] for s, k in rows if s == 4} == {"parameters", "activations"}


def test_finish_unhooks_and_stores_what_was_captured(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=1)
    train(model, run, 1)
    run.finish()
    assert hooks_left(model) == 0
    assert len(media(run)) == 2 * len(PARAMS)


def test_unsampled_calls_run_one_pre_hook_and_no_gradient_hook(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=100)
    model(torch.randn(1, 12)).sum().backward()
    assert len(model._forward_pre_hooks) == 1 and hooks_left(model) == 1
    run.unwatch()
    assert hooks_left(model) == 0


def test_gradients_arrive_when_forward_runs_only_without_gradients(offline_run: OfflineRun) -> None:
    """Stable-Baselines3's shape: forward() only under no_grad (rollouts); the update goes through
    another method of the module, so no forward runs with gradients on."""
    run, model = offline_run(), mlp()
    run.watch(model, log="gradients", log_freq=2)
    for _ in range(2):
        with torch.no_grad():
            model(torch.randn(5, 12))
    model[4](model[3](model[2](model[1](model[0](torch.randn(5, 12)))))).pow(2).mean().backward()
    run.log({"loss": 1.0})
    run.finish()
    assert {key for _, key in media(run)} == {f"gradients/{p}" for p in PARAMS}


def test_unwatch_of_a_model_never_watched_warns(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.warns(UserWarning, match="this Linear is not watched"):
        run.unwatch(nn.Linear(1, 1))


# -- no host sync ----------------------------------------------------------------------------------------
class OpSpy(TorchDispatchMode):
    """Every aten op dispatched on this thread. A host read of a scalar (``.item()``, ``float(t)``,
    ``.tolist()``, ``histc`` with tensor bounds turned to floats) always goes through
    ``aten._local_scalar_dense``: on CUDA, that is the sync."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[str] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.ops.append(str(func))
        return func(*args, **(kwargs or {}))


def test_the_spy_sees_the_host_read_that_wandbs_histc_needs() -> None:
    t = torch.randn(100)
    with OpSpy() as spy:
        torch.histc(t, bins=64, min=t.min().item(), max=t.max().item())
    assert "aten._local_scalar_dense.default" in spy.ops


def test_a_sampled_step_reads_no_value_back_to_the_host(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, log="all", log_freq=2, log_activations=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(5, 12)
    model(x)  # call 1: not sampled
    with OpSpy() as spy:  # call 2: parameters, activations and, in its backward, gradients
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    # The histograms ran under the spy: one pass for the parameters, one per leaf module's output,
    # and one for the gradients, in the backward's final callback.
    assert spy.ops.count("aten.scatter_add_.default") == 1 + 5 + 1
    assert "aten._local_scalar_dense.default" not in spy.ops
    assert "aten.histc.default" not in spy.ops and "aten.bincount.default" not in spy.ops
    run.finish()
    assert len(media(run)) == 2 * len(PARAMS) + 5


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_cuda_a_sampled_step_never_synchronizes(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp().cuda()
    run.watch(model, log="all", log_freq=1, log_activations=True)
    x = torch.randn(5, 12, device="cuda")
    model(x).sum().backward()  # warm-up: allocator, pinned host blocks, kernels loaded
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")  # any synchronizing CUDA call raises
    try:
        model(x).pow(2).mean().backward()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    run.finish()
    rows = media(run)
    assert_matches_numpy(rows[(0, "parameters/0.weight")], model[0].weight.cpu())


# -- graph, summary, imports --------------------------------------------------------------------------
def test_log_graph_stores_the_module_tree_once_under_graph_0(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.watch(model, criterion=nn.MSELoss(), log=None, log_graph=True)
    train(model, run, 3)
    run.finish()
    rows = media(run)
    assert list(rows) == [(0, "graph_0")]
    graph = rows[(0, "graph_0")]
    assert graph["_type"] == "graph" and graph["format"] == "torch" and graph["criterion"] == "MSELoss"
    assert set(graph) - {"_type"} == set(CONTRACT["types"]["graph"]["fields"])
    nodes = {n["name"]: n for n in graph["nodes"]}
    assert [nodes[n]["class_name"] for n in ("", "0", "1", "2", "3", "4")] == [
        "Sequential", "Linear", "ReLU", "Linear", "Tanh", "Linear"
    ]  # fmt: skip
    assert nodes["0"]["parameters"] == [["weight", [16, 12]], ["bias", [16]]]
    assert nodes["0"]["num_parameters"] == 16 * 12 + 16 and nodes[""]["num_parameters"] == 0
    assert graph["edges"] == [[0, i] for i in range(1, 6)]
    assert graph["total_parameters"] == sum(p.numel() for p in model.parameters())
    assert run.summary["graph_0"]["_type"] == "graph"


def test_define_metric_none_keeps_watch_histograms_out_of_the_summary(offline_run: OfflineRun) -> None:
    run, model = offline_run(), mlp()
    run.define_metric("gradients/*", summary="none")
    run.watch(model, log="all", log_freq=1)
    train(model, run, 2)
    run.finish()
    assert not any(k.startswith("gradients/") for k in run.summary)
    assert "parameters/0.weight" in run.summary


def test_a_thousand_watched_keys_keep_the_summary_small(
    offline_run: OfflineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    run = offline_run()
    net = nn.Sequential(*(nn.Linear(2, 2) for _ in range(250)))  # 500 tensors: 1,000 keys
    run.watch(net, log="all", log_freq=1)
    net(torch.ones(1, 2)).sum().backward()
    run.log({"loss": 0.5})
    run.finish()
    summary = dict(run.summary.items())
    assert summary["loss"] == 0.5
    assert 300 < sum(k.startswith(("gradients/", "parameters/")) for k in summary) < 1000
    assert len(json.dumps(summary)) < 64 << 10  # well inside the server's 100 KiB
    assert "media descriptors past 48 KiB are left out" in capsys.readouterr().err


def test_import_and_init_load_no_torch(tmp_path: Path) -> None:
    code = (
        "import sys, wanllmdb\n"
        f"run = wanllmdb.init(project='p', mode='offline', dir={str(tmp_path)!r}, "
        "settings={'system_metrics': False})\n"
        "run.unwatch()\n"
        "run.finish()\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


@pytest.mark.slow
def test_watch_histograms_reach_the_lake(module_server: LocalServer, tmp_path: Path) -> None:
    settings = {
        "base_url": module_server.url,
        "api_key": admin_key(module_server.data_dir),
        "system_metrics": False,
    }
    run = wanllmdb.init(project="watch", dir=tmp_path, settings=settings)
    model = mlp()
    run.watch(model, log="all", log_freq=2, log_graph=True)
    train(model, run, 4)
    run.finish()
    assert run.synced is True
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None
    keys = {
        (s, k) for s, k, m in zip(*(table[c].to_pylist() for c in ("step", "key", "media")), strict=True) if m
    }
    assert keys == {(0, "graph_0")} | {
        (s, f"{kind}/{p}") for s in (1, 3) for kind in ("parameters", "gradients") for p in PARAMS
    }
