"""wandb's media types (``wandb.data_types``): Image, Audio, Video, Object3D, Html, Plotly, Histogram.

schemas/media_descriptors.json is the contract; base.py is the interface the upload pipeline calls.
"""

from __future__ import annotations

from wanllmdb.data_types.base import Encoded, Media, MediaExtraMissing, Prepared, media_path, to_media
from wanllmdb.data_types.image import Image

__all__ = [
    "Encoded",
    "Image",
    "Media",
    "MediaExtraMissing",
    "Prepared",
    "media_path",
    "to_media",
]
