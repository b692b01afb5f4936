"""Archives on disk, by content: `DATA/blobs/ab/abcdef….zip`. An upload is streamed to a temporary
file in the blob folder with a size cap, hashed on the way, checked to be a whole zip or tar archive,
and only then moved into place — an oversized, truncated or malformed upload leaves nothing behind."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tarfile
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

# decompressed bytes read while checking that a tar stream is whole; past this the archive is
# accepted as far as read and the scanner's own limits apply (and are reported) during the scan
CHECK_BYTES = 512 * 1024 * 1024


class UploadError(ValueError):
    """A rejected upload: `status` is the HTTP status (413 too large, 422 not a whole archive)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    suffix: str


def sniff(head: bytes) -> str:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ".zip"
    if head.startswith(b"\x1f\x8b"):
        return ".tar.gz"
    if len(head) > 262 and head[257:262] == b"ustar":
        return ".tar"
    raise UploadError(422, "not a zip or tar archive (zip, tar, tar.gz are accepted)")


def check_archive(path: Path, suffix: str) -> None:
    """Read the archive through once: a truncated or corrupt one raises UploadError(422)."""
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise UploadError(422, f"corrupt zip archive: member {bad!r} fails its CRC check")
            return
        read = 0
        with tarfile.open(path, mode="r:gz" if suffix == ".tar.gz" else "r:") as tf:
            for member in tf:
                if not member.isfile():
                    continue
                fh = tf.extractfile(member)
                while fh is not None and (chunk := fh.read(1 << 20)):
                    read += len(chunk)
                    if read > CHECK_BYTES:
                        return
    except UploadError:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise UploadError(422, f"truncated or corrupt {suffix[1:]} archive: {exc}") from None


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def _temp(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(prefix=".upload-", dir=self.root)
        return fd, Path(name)

    def _finish(self, tmp: Path, digest: str, size: int, head: bytes) -> Blob:
        try:
            if size == 0:
                raise UploadError(422, "empty upload")
            suffix = sniff(head)
            check_archive(tmp, suffix)
            final = self.path(digest, suffix)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return Blob(digest, size, suffix)
        finally:
            tmp.unlink(missing_ok=True)

    async def put_stream(self, chunks: AsyncIterator[bytes], limit: int) -> Blob:
        fd, tmp = self._temp()
        h, size, head = hashlib.sha256(), 0, b""
        try:
            with os.fdopen(fd, "wb") as fh:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise UploadError(413, f"upload larger than the limit of {limit} bytes")
                    if len(head) < 512:
                        head += chunk[:512]
                    h.update(chunk)
                    fh.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self._finish(tmp, h.hexdigest(), size, head)

    def put_bytes(self, data: bytes, limit: int) -> Blob:
        if len(data) > limit:
            raise UploadError(413, f"download larger than the limit of {limit} bytes")
        fd, tmp = self._temp()
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return self._finish(tmp, hashlib.sha256(data).hexdigest(), len(data), data[:512])

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def sweep_temp(self, older_than: float = 3600.0) -> None:
        """Remove upload leftovers of a process that died mid-upload (old enough that no live upload
        of another instance sharing the folder can own them)."""
        now = time.time()
        for p in self.root.glob(".upload-*"):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > older_than:
                    p.unlink()
