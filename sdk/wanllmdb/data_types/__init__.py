"""wandb's media types (``wandb.data_types``): Image, Audio, Video, Object3D, Html, Plotly, Histogram,
Table, and ``from_matplotlib`` for figures.

schemas/media_descriptors.json is the contract; base.py is the interface the upload pipeline calls
(``Media.prepare``, ``Prepared``, ``media_path``, ``to_media``). Constructors only validate and keep a
copy; encoding runs in ``prepare`` on the pipeline's worker. Encoders beyond numpy and the standard
library come with ``pip install 'wanllmdb[media]'``.
"""

from __future__ import annotations

from wanllmdb.data_types.audio import Audio
from wanllmdb.data_types.base import (
    Encoded,
    FileMedia,
    Media,
    MediaExtraMissing,
    Prepared,
    media_path,
    to_media,
)
from wanllmdb.data_types.figures import from_matplotlib
from wanllmdb.data_types.histogram import Histogram
from wanllmdb.data_types.html import Html
from wanllmdb.data_types.image import Image
from wanllmdb.data_types.object3d import Object3D
from wanllmdb.data_types.plotly_chart import Plotly
from wanllmdb.data_types.table import Table
from wanllmdb.data_types.video import Video

__all__ = [
    "Audio",
    "Encoded",
    "FileMedia",
    "Histogram",
    "Html",
    "Image",
    "Media",
    "MediaExtraMissing",
    "Object3D",
    "Plotly",
    "Prepared",
    "Table",
    "Video",
    "from_matplotlib",
    "media_path",
    "to_media",
]
