"""``Audio``: numpy samples written as WAV with the standard library's ``wave``; files kept as they are.

Arrays are (samples,) mono or (samples, channels). Floats are taken as -1..1 and written as 16-bit
PCM (wandb's soundfile default); int16 is written as is, int32 as 32-bit PCM, uint8 as 8-bit PCM.
"""

from __future__ import annotations

import io
import operator
import os
import wave
from pathlib import Path
from typing import Any, ClassVar

from wanllmdb.data_types.base import Encoded, FileMedia, describe, import_optional, read_source
from wanllmdb.errors import InvalidValue

__all__ = ["Audio"]

_ACCEPTED = (
    "a numpy array (samples,) or (samples, channels) of floats in -1..1, int16, int32 or uint8 with "
    "sample_rate=, or the path of an audio file"
)
_FORMATS = ("wav", "mp3", "flac", "ogg", "oga", "opus", "m4a", "aac", "webm")


class Audio(FileMedia):
    """``wandb.Audio(data_or_path, sample_rate=None, caption=None)``."""

    _type: ClassVar[str] = "audio-file"
    _dir: ClassVar[str | None] = "audio"

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        self._caption = None if caption is None else str(caption)
        self._samples: Any = None
        self._file: bytes | None = None
        self._sample_rate = sample_rate
        if isinstance(data_or_path, str | os.PathLike):
            path = Path(data_or_path)
            self._format = path.suffix.lower().lstrip(".")
            if self._format not in _FORMATS:
                raise InvalidValue(
                    f"Audio: {str(path)!r} is not an audio file by its name; accepted: {_ACCEPTED} "
                    f"(extensions {', '.join(_FORMATS)})"
                )
            self._file = read_source(path, "Audio", _ACCEPTED)
            return
        np = import_optional("numpy", "Audio from an array", "numpy")
        try:
            rate = 0 if isinstance(sample_rate, bool) else operator.index(sample_rate)  # type: ignore[arg-type]
        except TypeError:
            rate = 0
        if rate <= 0:
            raise InvalidValue(
                f"Audio: sample_rate= (a positive integer, in Hz) is required with raw data, "
                f"got {sample_rate!r}"
            )
        self._sample_rate = rate
        a = np.asarray(data_or_path) if isinstance(data_or_path, list | tuple) else data_or_path
        if not isinstance(a, np.ndarray):
            raise InvalidValue(f"Audio: got {describe(data_or_path)}; accepted: {_ACCEPTED}")
        ok_dtype = a.dtype.kind == "f" or a.dtype in (np.int16, np.int32, np.uint8)
        if not ok_dtype or a.ndim not in (1, 2) or a.size == 0 or (a.ndim == 2 and not 1 <= a.shape[1] <= 16):
            raise InvalidValue(f"Audio: got {describe(a)}; accepted: {_ACCEPTED}")
        self._samples = np.array(a)  # a copy
        self._format = "wav"

    @property
    def caption(self) -> str | None:
        return self._caption

    def _encode(self) -> Encoded:
        if self._file is not None:
            rate, duration = self._sample_rate, None
            if self._format == "wav":
                rate, duration = _wav_info(self._file) or (rate, None)
            fields = {
                "sample_rate": rate,
                "duration": duration,
                "format": self._format,
                "caption": self._caption,
            }
            return Encoded(data=self._file, ext=self._format, fields=fields)
        data = _wav(self._samples, int(self._sample_rate or 0))
        duration = self._samples.shape[0] / float(self._sample_rate or 1)
        fields = {
            "sample_rate": self._sample_rate,
            "duration": duration,
            "format": "wav",
            "caption": self._caption,
        }
        return Encoded(data=data, ext="wav", fields=fields)


def _wav(samples: Any, rate: int) -> bytes:
    import numpy as np

    a = samples if samples.ndim == 2 else samples[:, None]
    if a.dtype.kind == "f":
        a = (np.nan_to_num(a).clip(-1.0, 1.0) * 32767).round().astype("<i2")
    else:
        a = a.astype(a.dtype.newbyteorder("<"))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(a.shape[1])
        w.setsampwidth(a.dtype.itemsize)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(a).tobytes())
    return buf.getvalue()


def _wav_info(data: bytes) -> tuple[int, float] | None:
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getframerate(), w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None  # a WAV the standard library cannot read (float, extensible): stored without them
