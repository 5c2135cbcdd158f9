"""PyTorch: ``watch()``/``unwatch()`` (watch.py), batched on-device histograms (histograms.py), the
module graph (graph.py) and ``log_checkpoint()``, a model's state dict as a ``model`` artifact
(checkpoint.py). Imports torch: ``Run.watch`` loads this package on its first call only."""

from wanllmdb.integration.torch.checkpoint import log_checkpoint, log_checkpoint_file
from wanllmdb.integration.torch.graph import module_graph
from wanllmdb.integration.torch.histograms import TensorHistogram, launch_histograms
from wanllmdb.integration.torch.watch import LOG_CHOICES, Watcher

__all__ = [
    "LOG_CHOICES",
    "TensorHistogram",
    "Watcher",
    "launch_histograms",
    "log_checkpoint",
    "log_checkpoint_file",
    "module_graph",
]
