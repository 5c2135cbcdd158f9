"""The ``keras`` module, imported once for every callback here, with the integration's checks.

Keras 3 imports its backend when it is imported, and its default backend is TensorFlow: without
TensorFlow, ``import keras`` fails with ``No module named 'tensorflow'`` unless ``KERAS_BACKEND`` names
an installed backend. ``FrameworkMissing``'s "pip install 'wanllmdb[keras]'" would mislead there (keras
is installed), so that failure raises ``KerasBackendMissing``, which says to set ``KERAS_BACKEND``.
"""

from __future__ import annotations

import importlib.util
import os
from types import ModuleType

from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported, UsageError
from wanllmdb.integration._framework import Supported, require_framework

__all__ = ["SUPPORTED", "KerasBackendMissing", "import_keras", "keras"]

SUPPORTED = Supported((3, 0), (4,))
# The modules Keras 3 imports for each backend it can run on.
_BACKENDS = ("tensorflow", "jax", "torch", "openvino")


class KerasBackendMissing(FrameworkMissing):
    """Keras is installed, but the backend it was told to use (TensorFlow by default) is not."""

    def __init__(self, backend: str) -> None:
        chosen = os.environ.get("KERAS_BACKEND")
        where = (
            f"KERAS_BACKEND={chosen}"
            if chosen
            else "KERAS_BACKEND is unset, so ~/.keras/keras.json or the default"
        )
        UsageError.__init__(
            self,
            f"wanllmdb.integration.keras: keras could not import its backend {backend}, which is not "
            f"installed ({where}). Set KERAS_BACKEND=jax (or torch) to an installed backend before keras "
            f"is first imported, e.g. `KERAS_BACKEND=jax python train.py`, or pip install {backend}",
        )
        self.framework = backend
        self.extra = "keras"


def _missing_backend(error: BaseException | None) -> str | None:
    """The backend whose absence made ``import keras`` fail, if that is why it failed."""
    if not isinstance(error, ModuleNotFoundError) or error.name is None:
        return None
    top = error.name.split(".")[0]
    return top if top in _BACKENDS and importlib.util.find_spec("keras") is not None else None


def import_keras() -> ModuleType:
    """``import keras``, or the reason it cannot be used: not installed, an unsupported version, or a
    backend that is not installed."""
    try:
        return require_framework("keras", integration="keras", extra="keras", supported=SUPPORTED)
    except FrameworkVersionUnsupported:
        raise
    except FrameworkMissing as exc:
        backend = _missing_backend(exc.__cause__)
        if backend is None:
            raise
        raise KerasBackendMissing(backend) from exc.__cause__


keras = import_keras()
