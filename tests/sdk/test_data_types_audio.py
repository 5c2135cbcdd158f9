"""wanllmdb.Audio: numpy samples to WAV through the standard library, files kept as they are."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from wanllmdb.data_types import Audio, media_path
from wanllmdb.errors import InvalidValue


def read_wav(data: bytes) -> tuple[int, int, int, np.ndarray]:
    with wave.open(io.BytesIO(data), "rb") as w:
        frames = w.readframes(w.getnframes())
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), np.frombuffer(frames, dtype="<i2")


def test_float_mono_becomes_16_bit_wav() -> None:
    samples = np.sin(np.linspace(0, 20, 8000)) * 0.5
    p = Audio(samples, sample_rate=16000, caption="tone").prepare("sound/a", 2)
    channels, width, rate, pcm = read_wav(p.data or b"")
    assert (channels, width, rate) == (1, 2, 16000)
    np.testing.assert_allclose(pcm / 32767, samples, atol=1e-4)
    d = p.descriptor
    assert {k: d[k] for k in ("_type", "sample_rate", "duration", "format", "caption")} == {
        "_type": "audio-file", "sample_rate": 16000, "duration": 0.5, "format": "wav", "caption": "tone",
    }  # fmt: skip
    assert d["size"] == len(p.data or b"")
    assert media_path(p, "sound/a", 2) == f"audio/sound.a_2_{d['sha256'][:20]}.wav"


def test_stereo_and_integer_samples() -> None:
    stereo = np.zeros((100, 2), dtype=np.int16)
    stereo[:, 1] = 1000
    channels, width, _, pcm = read_wav(Audio(stereo, sample_rate=8000).prepare("k", 0).data or b"")
    assert (channels, width) == (2, 2) and pcm[1] == 1000 and pcm[0] == 0
    assert read_wav(Audio(np.zeros(10, dtype=np.int32), sample_rate=8000).prepare("k", 0).data or b"")[1] == 4
    assert Audio(np.array([2.0, -3.0]), sample_rate=8000).prepare("k", 0).data  # clipped, not refused


def test_identical_samples_share_a_sha() -> None:
    a = np.random.default_rng(0).random(500) - 0.5
    assert (
        Audio(a, sample_rate=22050).prepare("a", 0).descriptor["sha256"]
        == (Audio(a.copy(), sample_rate=22050).prepare("b", 9).descriptor["sha256"])
    )


def test_files_keep_their_format(tmp_path: Path) -> None:
    wav = tmp_path / "x.wav"
    wav.write_bytes(Audio(np.zeros(4410), sample_rate=44100).prepare("k", 0).data or b"")
    d = Audio(str(wav)).prepare("k", 0).descriptor
    assert (d["format"], d["sample_rate"], d["duration"]) == ("wav", 44100, 0.1)
    mp3 = tmp_path / "song.MP3"
    mp3.write_bytes(b"ID3fake")
    p = Audio(mp3, caption="c").prepare("k", 0)
    assert (p.ext, p.data, p.descriptor["format"]) == ("mp3", b"ID3fake", "mp3")
    assert "duration" not in p.descriptor


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (np.zeros(10), {}, r"sample_rate= \(a positive integer, in Hz\) is required with raw data, got None"),
        (np.zeros(10), {"sample_rate": -1}, r"got -1"),
        (
            np.zeros((2, 2, 2)),
            {"sample_rate": 8000},
            r"got ndarray of shape \(2, 2, 2\).*accepted: a numpy array",
        ),
        (np.zeros(3, dtype=np.int64), {"sample_rate": 8000}, r"dtype int64.*accepted"),
        (np.zeros(0), {"sample_rate": 8000}, r"shape \(0,\)"),
        ("missing.wav", {}, r"cannot read file 'missing.wav'"),
        ("notes.txt", {}, r"'notes.txt' is not an audio file by its name"),
    ],
)
def test_bad_input_names_what_was_given_and_what_is_accepted(
    data: object, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        Audio(data, **kwargs)  # type: ignore[arg-type]
