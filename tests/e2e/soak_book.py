"""What the soak wrote to each path, and what a read of it must return: every version as a
seed and a size (the bytes are regenerated when needed), the write in flight, and RFC 9110's
rules for a byte range."""

import hashlib
import random
import threading
from dataclasses import dataclass, field

# Words the text files are made of, and what the soak searches for.
VOCABULARY = ("harbour lantern orchard granite meadow compass falcon velvet ember glacier cobalt "
              "saffron quarry tundra willow beacon cinder marble prairie thistle").split()


@dataclass(frozen=True)
class Content:
    """A file's bytes, regenerated from a seed when needed, and their SHA-256."""

    seed: int
    size: int
    text: bool
    sha256: str = ""

    def bytes(self):
        rng = random.Random(self.seed)
        if not self.text:
            return rng.randbytes(self.size)
        words = " ".join(rng.choice(VOCABULARY) for _ in range(self.size // 6 + 1))
        return words.encode()[: self.size]

    @staticmethod
    def make(seed, size, text):
        unhashed = Content(seed, size, text)
        return Content(seed, size, text, hashlib.sha256(unhashed.bytes()).hexdigest())


@dataclass
class PathRecord:
    versions: list = field(default_factory=list)  # confirmed writes, in order
    by_etag: dict = field(default_factory=dict)
    pending: Content | None = None  # a write sent and not yet answered


class FileBook:
    """Every version the driver wrote to each path. One writer owns each path, so the order of
    its confirmed writes is the order of the path's versions."""

    def __init__(self):
        self._lock = threading.Lock()
        self._paths = {}

    def begin(self, path, content):
        with self._lock:
            self._paths.setdefault(path, PathRecord()).pending = content

    def confirm(self, path, content, etag):
        with self._lock:
            record = self._paths[path]
            record.versions.append(content)
            record.by_etag[etag] = content
            record.pending = None

    def abandon(self, path):
        """A write whose outcome is unknown (it failed): it may or may not be the newest."""
        with self._lock:
            record = self._paths[path]
            if record.pending is not None:
                record.versions.append(record.pending)  # kept as a candidate for the read-back
                record.pending = None

    def latest(self, path):
        with self._lock:
            record = self._paths.get(path)
            return record.versions[-1] if record and record.versions else None

    def etag(self, path, content):
        with self._lock:
            return next(tag for tag, c in self._paths[path].by_etag.items() if c == content)

    def written_paths(self):
        with self._lock:
            return sorted(p for p, r in self._paths.items() if r.versions)

    def served(self, path, etag):
        """What a read that answered `etag` must have returned: the confirmed version with that
        tag, else the write in flight (whose answer has not arrived), else nothing known."""
        with self._lock:
            record = self._paths.get(path)
            if record is None:
                return None, []
            known = record.by_etag.get(etag)
            return known, [record.pending] if known is None and record.pending else []

    def candidates(self, path):
        """Every version written, and the write in flight."""
        with self._lock:
            record = self._paths[path]
            return record.versions + ([record.pending] if record.pending else [])

    def history(self, path):
        with self._lock:
            return list(self._paths[path].versions)




def resolve_range(start, end, suffix, size):
    """What the server must answer to `bytes=start-end` (or `bytes=-suffix`) on `size` bytes:
    (first, last) inclusive, or None for 416 — RFC 9110 §14.1.2."""
    if suffix is not None:
        return None if suffix == 0 or size == 0 else (max(0, size - suffix), size - 1)
    if start >= size:
        return None
    return start, size - 1 if end is None else min(end, size - 1)
