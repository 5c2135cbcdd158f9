"""What the flusher does while the spool's disk is full: hold chunks in memory up to a bound, drop and
count beyond it, say so once, and write the held chunks as soon as there is room again.

Training must not notice: ``log()`` only appends to buffers, and the flusher keeps draining them every
interval whether or not the write succeeds, so the caller's thread never raises or waits. A held chunk
keeps the sequence number it was given, so it lands under the same key it would have had; a dropped
one never takes a number, so the run's chunk sequence stays gap-free (compaction covers chunks only
while their numbers are contiguous).

Only the flusher thread calls this; ``dropped_values`` is read by ``finish()`` after the flusher ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanllmdb.termlog import termlog

__all__ = ["DiskFullGuard", "HeldChunk"]

log = logging.getLogger("wanllmdb")


@dataclass(frozen=True)
class HeldChunk:
    stream: str
    seq: int
    data: Any  # the encoded Parquet bytes (a pyarrow Buffer, or bytes)
    values: int  # lake rows in it

    @property
    def size(self) -> int:
        return len(memoryview(self.data))


@dataclass
class DiskFullGuard:
    spool: Path
    hold_bytes: int
    held: list[HeldChunk] = field(default_factory=list)
    held_size: int = 0
    full: bool = False
    dropped_values: int = 0  # over the whole run
    _episode_dropped: int = 0
    _episode_held: int = 0

    def disk_full(self, exc: OSError) -> None:
        """A write failed for lack of space: the first failure of an episode says what happens next."""
        if self.full:
            return
        self.full = True
        self._episode_dropped = self._episode_held = 0
        log.warning(
            "wanllmdb: the disk holding the spool is full (%s: %s). Training goes on: new chunks wait in "
            "memory (up to %.1f MiB) and are written when there is room again; rows logged beyond that "
            "are dropped and counted. Free some space on that disk.",
            self.spool,
            exc.strerror or exc,
            self.hold_bytes / (1 << 20),
        )

    def hold_or_drop(self, stream: str, seq: int, data: Any, values: int) -> bool:
        """Keep an encoded chunk that could not be written; False when it does not fit and was dropped."""
        chunk = HeldChunk(stream, seq, data, values)
        if self.held_size + chunk.size > self.hold_bytes:
            self.dropped_values += values
            self._episode_dropped += values
            return False
        self.held.append(chunk)
        self.held_size += chunk.size
        self._episode_held += 1
        return True

    def write_held(self, write: Callable[[HeldChunk], None]) -> bool:
        """Write the held chunks, oldest first; True when none is left. A disk still full stops it."""
        while self.held:
            write(self.held[0])  # raises OSError (disk full) to the caller, which stays in the episode
            chunk = self.held.pop(0)
            self.held_size -= chunk.size
        return True

    def room_again(self) -> None:
        """A write succeeded after the disk had been full: end the episode with one line of counts."""
        if not self.full or self.held:
            return
        self.full = False
        message = (
            f"the spool's disk has room again: {self._episode_held} chunk(s) held in memory were written"
        )
        if self._episode_dropped:
            log.warning(
                "wanllmdb: %s; %d value(s) logged while the memory bound was reached were dropped",
                message,
                self._episode_dropped,
            )
        else:
            termlog(f"{message}, nothing was dropped")

    def give_up(self) -> None:
        """The run ends with chunks still held (the disk never had room again): they are lost, say so."""
        if not self.held:
            return
        lost = sum(c.values for c in self.held)
        self.dropped_values += lost
        log.warning(
            "wanllmdb: the spool's disk was still full at finish: %d chunk(s) held in memory (%d value(s)) "
            "are lost, and %d value(s) were dropped over the run",
            len(self.held),
            lost,
            self.dropped_values,
        )
        self.held.clear()
        self.held_size = 0
