"""Archives (.zip and its aliases .skill/.mcpb/.difypkg/.plugin, .tar, .tar.gz/.tgz) read in memory, never
extracted. Member paths must stay inside the archive: absolute paths, `..`, drive letters, devices and
links that leave the tree are rejected; member count, per-file size, total size and compression ratio
are capped (Limits). An archive that breaks a hard limit or cannot be read is an error for that input;
the rest of the scan goes on. Package roots inside an archive are shown as `<archive>!/<dir>`, and a
package's sha256 is the same as for the extracted directory."""

from __future__ import annotations

import io
import posixpath
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

from skillscan.loaders.files import Limits, make_file
from skillscan.model import PackageFile

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar", ".skill", ".mcpb", ".difypkg", ".plugin")
RATIO_FLOOR = 1024 * 1024  # members smaller than this never trip the ratio cap
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


class ArchiveError(Exception):
    """The archive as a whole cannot be scanned (corrupt, or over a hard limit)."""


@dataclass(frozen=True)
class ArchiveContents:
    files: tuple[PackageFile, ...]
    skipped: tuple[str, ...]


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


NESTED_SUFFIXES = ARCHIVE_SUFFIXES + (".whl",)  # opened when found inside a package


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(NESTED_SUFFIXES)


def kind_of(data: bytes) -> str | None:
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    if len(data) >= 262 and data[257:262] == b"ustar":
        return "tar"
    return None


def safe_member_path(name: str) -> str | None:
    """The member's POSIX path, or None when it is absolute or climbs out of the archive."""
    if "\0" in name:
        return None
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            return None
        parts.append(part)
    return "/".join(parts) if parts else None


def _link_target(member_path: str, target: str) -> str | None:
    if target.startswith("/") or "\0" in target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(member_path), target))
    if joined.startswith("../") or joined == "..":
        return None
    return joined


class _Budget:
    def __init__(self, limits: Limits, compressed: int) -> None:
        self.limits = limits
        self.total = 0
        self.cap = min(limits.max_total_bytes, max(RATIO_FLOOR, compressed) * limits.max_ratio)

    def take(self, n: int, where: str) -> None:
        self.total += n
        if self.total > self.cap:
            raise ArchiveError(f"uncompressed contents exceed {self.cap} bytes ({where}): over the total size or "
                               f"compression-ratio limit (possible archive bomb)")


def _read_zip(data: bytes, limits: Limits) -> ArchiveContents:
    import zipfile  # imported when an archive is read (start-up time of a scan that reads none)

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ArchiveError(f"not a readable zip archive: {exc}") from None
    if len(infos) > limits.max_files:
        raise ArchiveError(f"{len(infos)} members, more than the {limits.max_files} allowed")
    budget = _Budget(limits, len(data))
    declared = sum(i.file_size for i in infos)
    if declared > budget.cap:
        raise ArchiveError(f"declares {declared} uncompressed bytes, over the {budget.cap}-byte limit "
                           "(total size or compression ratio; possible archive bomb)")
    files: dict[str, PackageFile] = {}
    skipped: list[str] = []
    links: list[tuple[str, str | None]] = []
    for info in infos:
        path = safe_member_path(info.filename)
        if path is None:
            skipped.append(f"{info.filename}: member path is absolute or leaves the archive, rejected")
            continue
        mode = info.external_attr >> 16
        if info.is_dir() or stat.S_ISDIR(mode):
            continue
        if stat.S_ISLNK(mode):
            try:
                target = zf.read(info)[:4096].decode("utf-8", "replace")
            except Exception:  # noqa: BLE001 - corrupt link member
                target = ""
            links.append((path, _link_target(path, target)))
            continue
        if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
            skipped.append(f"{path}: not a regular file (device, FIFO or socket), skipped")
            continue
        if info.file_size > RATIO_FLOOR and info.file_size > max(info.compress_size, 1) * limits.max_ratio:
            raise ArchiveError(f"{path}: compression ratio above {limits.max_ratio}:1 (possible archive bomb)")
        want = min(info.file_size, limits.max_file_bytes)
        try:
            with zf.open(info) as fh:
                body = fh.read(want)
                overflow = bool(fh.read(1)) if want == info.file_size else info.file_size > want
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, NotImplementedError,
                RuntimeError) as exc:
            raise ArchiveError(f"{path}: member cannot be read: {exc}") from None
        if want == info.file_size and overflow:
            raise ArchiveError(f"{path}: member is larger than its header says (malformed archive)")
        budget.take(len(body), path)
        truncated = info.file_size > want
        if truncated:
            skipped.append(f"{path}: larger than {limits.max_file_bytes} bytes, only the first part was read")
        executable = bool(mode & 0o111)
        files[path] = make_file(path, body, executable=executable, limits=limits, truncated=truncated)
    _resolve_links(links, files, skipped)
    return ArchiveContents(tuple(sorted(files.values(), key=lambda f: f.path)), tuple(skipped))


def _resolve_links(links: list[tuple[str, str | None]], files: dict[str, PackageFile], skipped: list[str]) -> None:
    """A link to a regular file inside the archive is read as that file (as a directory walk does); any
    other link is not followed."""
    for path, resolved in links:
        if resolved is None:
            skipped.append(f"{path}: link pointing outside the package, not followed")
        elif resolved in files:
            src = files[resolved]
            files[path] = PackageFile(path=path, data=src.data, size=src.size, language=src.language,
                                      is_binary=src.is_binary, text=src.text, executable=src.executable,
                                      encoding=src.encoding, truncated=src.truncated)
        else:
            skipped.append(f"{path}: link to a directory or missing member, not followed")


def _gunzip(data: bytes, limits: Limits) -> bytes:
    """Decompress a (possibly multi-member) gzip stream, refusing to produce more than the caps allow."""
    cap = min(limits.max_total_bytes + 1024 * 1024, max(RATIO_FLOOR, len(data)) * limits.max_ratio)
    out = bytearray()
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += d.decompress(rest, cap + 1 - len(out))
            while d.unconsumed_tail and len(out) <= cap:
                out += d.decompress(d.unconsumed_tail, cap + 1 - len(out))
            if len(out) > cap:
                raise ArchiveError(f"decompresses to more than {cap} bytes: over the total size or compression-ratio "
                                   "limit (possible archive bomb)")
            if not d.eof:
                raise ArchiveError("gzip stream is truncated")
            rest = d.unused_data
            if rest and rest[:2] != b"\x1f\x8b":
                break  # trailing garbage after the last member, as gzip(1) tolerates
    except zlib.error as exc:
        raise ArchiveError(f"not a readable gzip stream: {exc}") from None
    return bytes(out)


def _read_tar(data: bytes, limits: Limits, compressed_size: int) -> ArchiveContents:
    import tarfile  # imported when an archive is read (start-up time of a scan that reads none)

    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(f"not a readable tar archive: {exc}") from None
    budget = _Budget(limits, compressed_size)
    files: dict[str, PackageFile] = {}
    skipped: list[str] = []
    links: list[tuple[str, str | None]] = []
    count = 0
    try:
        for member in tf:
            count += 1
            if count > limits.max_files:
                raise ArchiveError(f"more than {limits.max_files} members")
            path = safe_member_path(member.name)
            if path is None:
                skipped.append(f"{member.name}: member path is absolute or leaves the archive, rejected")
                continue
            if member.isdir():
                continue
            if member.issym():
                links.append((path, _link_target(path, member.linkname)))
                continue
            if member.islnk():  # hard link: the target is named from the archive root
                links.append((path, safe_member_path(member.linkname) if not member.linkname.startswith("/") else None))
                continue
            if not member.isfile():
                skipped.append(f"{path}: not a regular file (device, FIFO or socket), skipped")
                continue
            want = min(member.size, limits.max_file_bytes)
            fh = tf.extractfile(member)
            body = fh.read(want) if fh is not None else b""
            if len(body) < want:
                raise ArchiveError(f"{path}: archive is truncated")
            budget.take(len(body), path)
            truncated = member.size > want
            if truncated:
                skipped.append(f"{path}: larger than {limits.max_file_bytes} bytes, only the first part was read")
            files[path] = make_file(path, body, executable=bool(member.mode & 0o111), limits=limits,
                                    truncated=truncated)
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise ArchiveError(f"tar archive cannot be read: {exc}") from None
    _resolve_links(links, files, skipped)
    return ArchiveContents(tuple(sorted(files.values(), key=lambda f: f.path)), tuple(skipped))


def read_archive(data: bytes, limits: Limits = Limits(), name: str = "") -> ArchiveContents:
    """The regular files of an archive, in memory. Raises ArchiveError when it cannot be scanned."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"archive larger than {MAX_ARCHIVE_BYTES} bytes")
    kind = kind_of(data)
    if kind is None and len(data) >= 1024 and (name.lower().endswith(".tar") or len(data) % 512 == 0):
        kind = "tar"  # pre-POSIX and empty tars have no magic
    if kind == "zip":
        return _read_zip(data, limits)
    if kind == "tar.gz":
        return _read_tar(_gunzip(data, limits), limits, len(data))
    if kind == "tar":
        return _read_tar(data, limits, len(data))
    raise ArchiveError("not a zip, tar or tar.gz archive (unknown or truncated content)")


def nested_members(files: tuple[PackageFile, ...], limits: Limits, depth: int = 0) -> tuple[list[PackageFile], list[str]]:
    """Files of archives shipped inside a package, as virtual files `<archive path>!/<member>` (origin = the
    archive), opened recursively up to `limits.max_archive_depth`."""
    out: list[PackageFile] = []
    skipped: list[str] = []
    budget = limits.max_files
    for f in files:
        if not is_archive_name(f.path) or f.truncated or kind_of(f.data) is None and not f.path.endswith(".tar"):
            continue
        if depth >= limits.max_archive_depth:
            skipped.append(f"{f.path}: archive nested deeper than {limits.max_archive_depth} levels, not opened")
            continue
        try:
            contents = read_archive(f.data, limits, f.path)
        except ArchiveError as exc:
            skipped.append(f"{f.path}: nested archive cannot be scanned: {exc}")
            continue
        inner = [PackageFile(path=f"{f.path}!/{m.path}", data=m.data, size=m.size, language=m.language,
                             is_binary=m.is_binary, text=m.text, executable=m.executable, encoding=m.encoding,
                             origin=f.path, truncated=m.truncated) for m in contents.files]
        skipped += [f"{f.path}!/{s}" for s in contents.skipped]
        deeper, deeper_skipped = nested_members(tuple(inner), limits, depth + 1)
        out += inner + deeper
        skipped += deeper_skipped
        if len(out) > budget:
            skipped.append(f"{f.path}: nested archives hold more than {budget} files, the rest were not scanned")
            out = out[:budget]
            break
    return out, skipped
