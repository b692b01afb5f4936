"""Discovery: turn each input argument into packages. A directory is searched for package roots
(directories holding a format's marker); files belong to the nearest root above them; a directory
with no root is one `generic` package; a loose file belongs to the nearest root above it."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath

from skillscan.formats import TREE, FormatSpec, Parsed, formats
from skillscan.formats.agent_skill import skill_frontmatter
from skillscan.loaders import archive, remote
from skillscan.loaders.archive import nested_members
from skillscan.loaders.deps import scan_dependencies
from skillscan.loaders.files import Limits, content_digest, make_file, walk_directory
from skillscan.loaders.settings import settings_surfaces
from skillscan.model import Package, PackageFile

DOC_LANGS = {"markdown", "text"}


def display_root(path: str) -> str:
    """Relative to the working directory when under it, otherwise absolute."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd:
        return "."
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return absolute


def error_package(input_arg: str, message: str) -> Package:
    return Package(input=input_arg, root=input_arg, format="unknown", name=PurePosixPath(input_arg).name or input_arg,
                   errors=(message,))


class _Index:
    """Paths of a tree grouped by directory, for marker lookups (exact names and basename globs)."""

    def __init__(self, files: Iterable[PackageFile]) -> None:
        self.by_path: dict[str, PackageFile] = {f.path: f for f in files}
        self.children: dict[str, list[str]] = {}
        for path in self.by_path:
            parent, _, name = path.rpartition("/")
            self.children.setdefault(parent, []).append(name)

    def match(self, marker_path: str) -> list[PackageFile]:
        parent, _, name = marker_path.rpartition("/")
        if not any(ch in name for ch in "*?["):
            f = self.by_path.get(marker_path)
            return [f] if f is not None else []
        return [self.by_path[f"{parent}/{n}" if parent else n] for n in sorted(self.children.get(parent, ()))
                if fnmatch.fnmatchcase(n, name)]


def detect(dir_rel: str, present: set[str] | _Index) -> FormatSpec | None:
    """The highest-priority format whose marker is present under `dir_rel` (a posix path, '' = top)."""
    index = present if isinstance(present, _Index) else _Index(
        PackageFile(path=p, data=b"", size=0, language="text", is_binary=False) for p in present)
    prefix = f"{dir_rel}/" if dir_rel else ""
    for spec in formats():
        for marker in spec.markers:
            hits = index.match(prefix + marker)
            if hits and (spec.probe is None or any(_probe(spec, f) for f in hits)):
                return spec
    return None


def _probe(spec: FormatSpec, f: PackageFile) -> bool:
    try:
        return bool(spec.probe(f)) if spec.probe is not None else True
    except Exception:  # a probe bug or hostile content never breaks discovery
        return False


def _roots(files: Iterable[PackageFile]) -> dict[str, FormatSpec]:
    files = tuple(files)
    present = {f.path for f in files}
    index = _Index(files)
    dirs = {""}
    for path in present:
        parent = path.rpartition("/")[0]
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    roots: dict[str, FormatSpec] = {}
    for d in sorted(dirs, key=lambda d: (d.count("/") if d else -1, d)):
        spec = detect(d, index)
        if spec is None:
            continue
        owner = _owner(d, roots)
        if owner is not None and roots[owner].owns_nested:
            continue  # nested inside a plugin: reported with it
        # a marker may live in a subdirectory (".claude-plugin/plugin.json"): that marker's dir is not a root
        if any(d == (f"{r}/" if r else "") + m.rsplit("/", 1)[0] for r, s in roots.items() for m in s.markers
               if "/" in m):
            continue
        roots[d] = spec
    return roots


def _owner(path: str, roots: dict[str, FormatSpec]) -> str | None:
    """The nearest root that contains `path` (a file or directory path), or None. Walks up the path's
    own ancestors (a dict lookup each) rather than testing every root: a registry tree has thousands
    of roots and tens of thousands of files."""
    p = path
    while p:
        if p in roots:
            return p
        cut = p.rfind("/")
        if cut < 0:
            break
        p = p[:cut]
    return "" if "" in roots else None


def build_package(input_arg: str, root_path: str, root_display: str, spec: FormatSpec | None,
                  files: tuple[PackageFile, ...], skipped: tuple[str, ...] = (),
                  nested: tuple[str, ...] = (), limits: Limits | None = None) -> Package:
    name_default = PurePosixPath(root_display).name or root_display
    parsed: Parsed
    if spec is None:
        parsed = Parsed(name=name_default, format="generic")
    else:
        try:
            parsed = spec.parse(root_path, files)
        except Exception as exc:  # a parser bug must not hide the package: report it
            parsed = Parsed(name=name_default, format=spec.name, errors=(f"{spec.name} manifest: {exc}",))
    limits = limits or Limits()
    _deps, install_surfaces = scan_dependencies(files)
    from_settings, settings_errors = settings_surfaces(files)
    known = {(s.path, s.line, s.command) for s in parsed.surfaces}
    surfaces = parsed.surfaces + tuple(s for s in install_surfaces + from_settings
                                       if (s.path, s.line, s.command) not in known)
    inner, inner_skipped = nested_members(files, limits)
    all_files = files + tuple(inner)
    return Package(
        input=input_arg, root=root_display, format=parsed.format, name=parsed.name or name_default,
        version=parsed.version, files=all_files, sha256=content_digest(files), manifest=parsed.manifest,
        manifest_path=parsed.manifest_path, surfaces=surfaces, errors=parsed.errors + tuple(settings_errors),
        skipped=tuple(skipped) + parsed.skipped + tuple(inner_skipped),
        nested=nested, frontmatter=skill_frontmatter(all_files),
    )


def packages_from_tree(input_arg: str, base_display: str, base_path: str, files: tuple[PackageFile, ...],
                       skipped: tuple[str, ...], *, limits: Limits | None = None) -> list[Package]:
    """Split one tree of files (a directory or an archive) into packages."""
    roots = _roots(files)
    if not roots:
        return [build_package(input_arg, base_path, base_display, None, files, skipped, limits=limits)]
    by_root: dict[str, list[PackageFile]] = {r: [] for r in roots}
    loose: list[PackageFile] = []
    for f in files:
        owner = _owner(f.path, roots)
        if owner is None:
            loose.append(f)
        else:
            prefix = f"{owner}/" if owner else ""
            by_root[owner].append(replace(f, path=f.path[len(prefix):]))
    out: list[Package] = []
    # entries about paths outside every root (an archive member that tried to leave the tree) concern the
    # whole input: they go to the loose-file package, or to every package when there is none
    unowned = tuple(s for s in skipped if ":" in s and _owner(s.split(":", 1)[0], roots) is None)
    has_loose = any(f.language not in DOC_LANGS for f in loose)
    all_paths = frozenset(f.path for f in files)
    marker_dirs = _all_marker_dirs(files) if any(s.owns_nested for s in roots.values()) else set()
    for r, spec in sorted(roots.items()):
        display = base_display if not r else (f"{base_display}/{r}" if not base_display.endswith("/") else base_display + r)
        nested = tuple(sorted(
            d[len(r) + 1 if r else 0:] for d in marker_dirs if d != r and _owner(d, roots) == r
        )) if spec.owns_nested else ()
        pkg_skipped = tuple(s[len(r) + 1:] if r and s.startswith(r + "/") else s for s in skipped
                            if _owner(s.split(":", 1)[0], roots) == r or (not r and ":" not in s))
        if not has_loose:
            pkg_skipped += unowned
        token = TREE.set((r, all_paths))
        try:
            out.append(build_package(input_arg, os.path.join(base_path, r) if r else base_path, display, spec,
                                     tuple(by_root[r]), pkg_skipped, nested, limits=limits))
        finally:
            TREE.reset(token)
    if has_loose:
        out.append(build_package(input_arg, base_path, base_display, None, tuple(loose),
                                 tuple(s for s in skipped if _owner(s.split(":", 1)[0], roots) is None),
                                 limits=limits))
    return out


def _all_marker_dirs(files: Iterable[PackageFile]) -> set[str]:
    """Every directory holding some format's marker (nested package roots included)."""
    files = tuple(files)
    index = _Index(files)
    dirs: set[str] = set()
    for spec in formats():
        for marker in spec.markers:
            depth = marker.count("/") + 1
            last = marker.rsplit("/", 1)[-1]
            exact = not any(ch in last for ch in "*?[")
            for f in files:
                if exact and not f.path.endswith(last):
                    continue
                parts = f.path.split("/")
                if len(parts) < depth:
                    continue
                tail = "/".join(parts[-depth:])
                if fnmatch.fnmatchcase(tail, marker) and (spec.probe is None or _probe(spec, f)):
                    d = "/".join(parts[:-depth])
                    if detect(d, index) is not None:
                        dirs.add(d)
    return dirs


def nearest_root(path: Path) -> tuple[Path, FormatSpec] | None:
    """The nearest directory at or above `path` that is a package root."""
    current = path if path.is_dir() else path.parent
    for _ in range(64):
        for spec in formats():
            for m in spec.markers:
                try:
                    hits = [p for p in current.glob(m) if p.is_file() and not p.is_symlink()][:8]
                except (OSError, ValueError):
                    continue
                if hits and (spec.probe is None or any(_probe(spec, _peek(h)) for h in hits)):
                    return current, spec
        if current.parent == current:
            return None
        current = current.parent
    return None


def _peek(path: Path) -> PackageFile:
    with open(path, "rb") as fh:
        data = fh.read(1024 * 1024)
    return make_file(path.name, data)


def load_path(input_arg: str, limits: Limits = Limits()) -> list[Package]:
    if remote.is_remote(input_arg):  # remote sources end in the same safe archive loader
        return load_remote(input_arg, limits)
    path = Path(input_arg)
    if not os.path.lexists(path):
        return [error_package(input_arg, f"{input_arg}: no such file or directory")]
    try:
        if path.is_dir():
            walked = walk_directory(str(path), limits)
            return packages_from_tree(input_arg, display_root(str(path)), str(path), walked.files, walked.skipped,
                                      limits=limits)
        if not path.is_file():
            return [error_package(input_arg, f"{input_arg}: not a regular file or directory")]
        if archive.is_archive(path):
            return load_archive(input_arg, path, limits)
        found = nearest_root(path.resolve())
        if found is not None:
            root, _spec = found
            walked = walk_directory(str(root), limits)
            pkgs = packages_from_tree(input_arg, display_root(str(root)), str(root), walked.files, walked.skipped,
                                      limits=limits)
            return pkgs[:1]
        size = path.stat().st_size
        with open(path, "rb") as fh:
            data = fh.read(limits.max_file_bytes)
        skipped = (f"{path.name}: larger than {limits.max_file_bytes} bytes, only the first part was read",) \
            if size > len(data) else ()
        f = make_file(path.name, data, executable=os.access(path, os.X_OK), limits=limits, truncated=bool(skipped))
        return [build_package(input_arg, str(path.parent), display_root(str(path)), None, (f,), skipped,
                              limits=limits)]
    except (OSError, RecursionError, MemoryError) as exc:
        return [error_package(input_arg, f"{input_arg}: cannot be read: {exc}")]


# archives and remote sources: read by their own loaders, split into packages here


def load_archive_bytes(input_arg: str, display_name: str, data: bytes, limits: Limits = Limits()) -> list[Package]:
    """Packages inside an archive held in memory (a file argument or a download). `display_name` is what
    roots are shown under: `<display_name>!/<dir>`."""
    try:
        contents = archive.read_archive(data, limits, display_name)
    except archive.ArchiveError as exc:
        return [error_package(input_arg, f"{input_arg}: {exc}")]
    except (MemoryError, RecursionError) as exc:
        return [error_package(input_arg, f"{input_arg}: archive cannot be read: {type(exc).__name__}")]
    if not contents.files:
        return [error_package(input_arg, f"{input_arg}: archive holds no regular files"
                              + (f" ({'; '.join(contents.skipped[:3])})" if contents.skipped else ""))]
    return packages_from_tree(input_arg, f"{display_name}!/", f"{display_name}!", contents.files, contents.skipped,
                              limits=limits)


def load_archive(input_arg: str, path: Path, limits: Limits) -> list[Package]:
    try:
        size = path.stat().st_size
        if size > archive.MAX_ARCHIVE_BYTES:
            return [error_package(input_arg, f"{input_arg}: archive larger than {archive.MAX_ARCHIVE_BYTES} bytes")]
        data = path.read_bytes()
    except OSError as exc:
        return [error_package(input_arg, f"{input_arg}: cannot be read: {exc.strerror or exc}")]
    return load_archive_bytes(input_arg, display_root(str(path)), data, limits)


def load_remote(arg: str, limits: Limits = Limits(), fetch_limits: remote.FetchLimits | None = None) -> list[Package]:
    try:
        resolved = remote.resolve(arg, fetch_limits or remote.FetchLimits())
    except remote.RemoteError as exc:
        return [error_package(arg, str(exc))]
    remote.store(resolved.data)
    packages = load_archive_bytes(arg, resolved.name, resolved.data, limits)
    if resolved.subdir:
        wanted = resolved.subdir.strip("/")
        inside = [p for p in packages if p.format != "unknown" and
                  re.search(r"!/(?:[^/]+/)?" + re.escape(wanted) + r"(?:/|$)", p.root)]
        if not inside:
            return [error_package(arg, f"{arg}: no package under {wanted!r} in the download")]
        return inside
    return packages


def iter_inputs(inputs: Iterable[str], limits: Limits = Limits()) -> Iterator[Package]:
    """The packages of every input in order, one input loaded at a time; a package reached twice (the
    same root and format through two inputs) is yielded once."""
    seen: set[tuple[str, str]] = set()
    for arg in inputs:
        for pkg in load_path(arg, limits):
            key = (pkg.root, pkg.format)
            if key in seen and pkg.format != "unknown":
                continue
            seen.add(key)
            yield pkg


def load_inputs(inputs: Iterable[str], limits: Limits = Limits()) -> list[Package]:
    return list(iter_inputs(inputs, limits))
