"""The public query API: `wanllmdb.Api()` mirrors wandb's `wandb.Api()` over the wanLLMDB REST API."""

from ._api import Api
from ._run import File, Run
from ._runs import Runs

__all__ = ["Api", "File", "Run", "Runs"]


def __getattr__(name: str) -> object:
    # wandb.api.api_key: the key the SDK would send (wandb's `wandb.api` is an object with that
    # property; code written for it, Ray's setup_wandb, reads it to tell whether a login happened).
    if name == "api_key":
        from wanllmdb.settings import Settings

        return Settings.resolve().api_key
    raise AttributeError(f"module 'wanllmdb.api' has no attribute {name!r}")
