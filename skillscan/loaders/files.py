"""Reading and classifying files once, safely: no links followed out of a package, no FIFOs or
devices, bounded sizes, a declared decoding fallback."""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from skillscan.model import PackageFile


@dataclass(frozen=True)
class Limits:
    max_files: int = 10_000  # per package
    max_file_bytes: int = 50 * 1024 * 1024  # read cap per file (bigger: the first part is read, reported)
    parse_bytes: int = 2 * 1024 * 1024  # above this, parsers skip the file; YARA and prose still see it
    max_total_bytes: int = 512 * 1024 * 1024
    max_depth: int = 32
    max_ratio: int = 200  # archives: uncompressed / compressed bytes, per member over 1 MiB and for the whole archive
    max_archive_depth: int = 3  # archives inside a package are opened this many levels deep


_SIZE_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "KIB": 1024, "M": 1024**2, "MB": 1024**2, "MIB": 1024**2,
               "G": 1024**3, "GB": 1024**3, "GIB": 1024**3}


def parse_size(text: str) -> int:
    """`50M`, `512MiB`, `1G`, `4096` → bytes."""
    raw = str(text).strip().upper().replace(" ", "")
    num = raw.rstrip("KMGIB")
    unit = raw[len(num):]
    try:
        if not num or unit not in _SIZE_UNITS:
            raise ValueError
        value = int(float(num) * _SIZE_UNITS[unit])
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 4096, 10K, 50M, 1G)") from None
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def limits_from_options(*, max_files: int | None = None, max_file_size: str | None = None,
                        max_total_size: str | None = None, max_ratio: int | None = None,
                        max_archive_depth: int | None = None, base: Limits | None = None) -> Limits:
    """Limits with the command-line overrides applied (None keeps the default)."""
    from dataclasses import replace

    limits = base or Limits()
    changes: dict[str, int] = {}
    if max_files is not None:
        changes["max_files"] = max_files
    if max_file_size is not None:
        changes["max_file_bytes"] = parse_size(max_file_size)
    if max_total_size is not None:
        changes["max_total_bytes"] = parse_size(max_total_size)
    if max_ratio is not None:
        changes["max_ratio"] = max_ratio
    if max_archive_depth is not None:
        changes["max_archive_depth"] = max_archive_depth
    for key, value in changes.items():
        if value < (0 if key == "max_archive_depth" else 1):
            raise ValueError(f"--{key.replace('_bytes', '_size').replace('_', '-')} must be positive")
    return replace(limits, **changes)


EXT_LANG = {
    ".py": "python", ".pyw": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescript",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell", ".command": "shell",
    ".ps1": "powershell", ".psm1": "powershell", ".bat": "batch", ".cmd": "batch",
    ".md": "markdown", ".markdown": "markdown", ".mdc": "markdown", ".mdx": "markdown",
    ".txt": "text", ".rst": "text",
    ".json": "json", ".jsonc": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
    ".html": "html", ".htm": "html", ".rb": "ruby", ".go": "go", ".rs": "rust", ".php": "php", ".pl": "perl",
    ".applescript": "applescript", ".scpt": "applescript",
}
NAME_LANG = {
    ".cursorrules": "markdown", "requirements.txt": "requirements", "Dockerfile": "dockerfile", "Makefile": "make",
}
SHEBANG_LANG = (
    ("python", "python"), ("node", "javascript"), ("deno", "typescript"), ("bun", "javascript"),
    ("bash", "shell"), ("zsh", "shell"), ("/sh", "shell"), (" sh", "shell"), ("dash", "shell"), ("ksh", "shell"),
    ("osascript", "applescript"), ("ruby", "ruby"), ("perl", "perl"), ("pwsh", "powershell"),
)


def decode(data: bytes) -> tuple[str | None, str]:
    """Text or None for binary, with the encoding used: UTF-8, UTF-16 with BOM, else replacement."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    head = data[:8192]
    if b"\0" in head:
        return None, "binary"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        if bad > max(16, len(text) // 10):
            return None, "binary"
        return text, "utf-8-replace"


def classify(path: str, data: bytes, is_text: bool) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in NAME_LANG:
        return NAME_LANG[name]
    if name.upper() == "SKILL.MD":
        return "markdown"
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot > 0 else ""
    if ext in EXT_LANG:
        return EXT_LANG[ext]
    if not is_text:
        return "binary"
    if data.startswith(b"#!"):
        first = data[:120].split(b"\n", 1)[0].decode("latin-1").lower()
        for needle, lang in SHEBANG_LANG:
            if needle in first:
                return lang
        return "shell"
    return "text"


def make_file(path: str, data: bytes, *, executable: bool = False, limits: Limits = Limits(),
              origin: str | None = None, truncated: bool = False) -> PackageFile:
    text, encoding = decode(data)
    return PackageFile(
        path=path, data=data, size=len(data), language=classify(path, data, text is not None),
        is_binary=text is None, text=text, executable=executable, encoding=encoding, origin=origin,
        truncated=truncated or len(data) > limits.parse_bytes,
    )


@dataclass(frozen=True)
class WalkResult:
    files: tuple[PackageFile, ...]
    skipped: tuple[str, ...]


def _inside(root_real: str, path: str) -> bool:
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def walk_directory(root: str, limits: Limits = Limits(), exclude: Iterable[str] = ()) -> WalkResult:
    """Every regular file under `root` (hidden and vendored directories included), never following a
    link out of the tree; FIFOs, sockets and devices are skipped and reported."""
    root_real = os.path.realpath(root)
    excluded = {e.rstrip("/") for e in exclude}
    files: list[PackageFile] = []
    skipped: list[str] = []
    total = 0
    stack: list[tuple[str, int]] = [(root, 0)]
    visited: set[tuple[int, int]] = set()
    while stack:
        directory, depth = stack.pop()
        try:
            st = os.stat(directory)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in visited:
            continue
        visited.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(f"{os.path.relpath(directory, root)}: unreadable directory ({exc.strerror})")
            continue
        for entry in entries:
            rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
            if rel in excluded:
                continue
            try:
                lst = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(lst.st_mode):
                if not _inside(root_real, entry.path):
                    skipped.append(f"{rel}: link pointing outside the package, not followed")
                    continue
                try:
                    lst = os.stat(entry.path)
                except OSError:
                    skipped.append(f"{rel}: dangling link")
                    continue
            if stat.S_ISDIR(lst.st_mode):
                if depth + 1 > limits.max_depth:
                    skipped.append(f"{rel}: directory deeper than {limits.max_depth} levels, not scanned")
                    continue
                stack.append((entry.path, depth + 1))
                continue
            if not stat.S_ISREG(lst.st_mode):
                skipped.append(f"{rel}: not a regular file (FIFO, socket or device), skipped")
                continue
            if len(files) >= limits.max_files:
                skipped.append(f"more than {limits.max_files} files: the rest were not scanned")
                stack.clear()
                break
            size = lst.st_size
            want = min(size, limits.max_file_bytes)
            if total + want > limits.max_total_bytes:
                skipped.append(f"{rel}: package larger than {limits.max_total_bytes} bytes, not read")
                continue
            try:
                flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                fd = os.open(real, flags)
                try:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        skipped.append(f"{rel}: not a regular file, skipped")
                        continue
                    with os.fdopen(fd, "rb", closefd=False) as fh:
                        data = fh.read(want)
                finally:
                    os.close(fd)
            except OSError as exc:
                skipped.append(f"{rel}: unreadable ({exc.strerror})")
                continue
            total += len(data)
            truncated = size > want
            if truncated:
                skipped.append(f"{rel}: larger than {limits.max_file_bytes} bytes, only the first part was read")
            files.append(make_file(rel, data, executable=bool(lst.st_mode & 0o111), limits=limits,
                                   truncated=truncated))
    files.sort(key=lambda f: f.path)
    return WalkResult(tuple(files), tuple(skipped))


def content_digest(files: Iterable[PackageFile]) -> str:
    """sha256 over `path NUL size NUL bytes NUL x-bit` of every real file in sorted POSIX path order —
    the same for a directory and its archive."""
    h = hashlib.sha256()
    for f in sorted((f for f in files if not f.virtual), key=lambda f: f.path):
        h.update(f.path.encode("utf-8", "surrogateescape") + b"\0" + str(f.size).encode() + b"\0")
        h.update(f.data)
        h.update(b"\0" + (b"x" if f.executable else b"-") + b"\0")
    return h.hexdigest()
