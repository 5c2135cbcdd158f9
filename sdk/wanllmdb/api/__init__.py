"""The public query API: `wanllmdb.Api()` mirrors wandb's `wandb.Api()` over the wanLLMDB REST API."""

from ._api import Api
from ._run import File, Run
from ._runs import Runs

__all__ = ["Api", "File", "Run", "Runs"]
