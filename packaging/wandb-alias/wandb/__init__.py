"""wanllmdb's opt-in ``wandb`` alias: this module replaces itself with ``wanllmdb`` (see
``wanllmdb.wandb_compat``), or refuses to load when a real wandb is installed too."""

from pathlib import Path

from wanllmdb.wandb_compat import alias_module

alias_module(__name__, Path(__file__).parent)
