"""Discovery: turn each input argument into packages. A directory is searched for package roots
(directories holding a format's marker); files belong to the nearest root above them; a directory
with no root is one `generic` package; a loose file belongs to the nearest root above it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from skillscan.loaders.files import Limits, content_digest, make_file, walk_directory
from skillscan.loaders.formats import FormatSpec, Parsed, formats
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


def detect(dir_rel: str, present: set[str]) -> FormatSpec | None:
    """The highest-priority format whose marker is present under `dir_rel` (a posix path, '' = top)."""
    prefix = f"{dir_rel}/" if dir_rel else ""
    for spec in formats():
        if any(prefix + marker in present for marker in spec.markers):
            return spec
    return None


def _roots(files: Iterable[PackageFile]) -> dict[str, FormatSpec]:
    present = {f.path for f in files}
    dirs = {""}
    for path in present:
        parent = PurePosixPath(path).parent
        while True:
            dirs.add("" if str(parent) == "." else parent.as_posix())
            if str(parent) in (".", ""):
                break
            parent = parent.parent
    roots: dict[str, FormatSpec] = {}
    for d in sorted(dirs, key=lambda d: (d.count("/") if d else -1, d)):
        spec = detect(d, present)
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
    """The nearest root that contains `path` (a file or directory path), or None."""
    best = None
    for r in roots:
        if r == "" or path == r or path.startswith(r + "/"):
            if best is None or len(r) > len(best):
                best = r
    return best


def build_package(input_arg: str, root_path: str, root_display: str, spec: FormatSpec | None,
                  files: tuple[PackageFile, ...], skipped: tuple[str, ...] = (),
                  nested: tuple[str, ...] = ()) -> Package:
    name_default = PurePosixPath(root_display).name or root_display
    parsed: Parsed
    if spec is None:
        parsed = Parsed(name=name_default, format="generic")
    else:
        try:
            parsed = spec.parse(root_path, files)
        except Exception as exc:  # a parser bug must not hide the package: report it
            parsed = Parsed(name=name_default, format=spec.name, errors=(f"{spec.name} manifest: {exc}",))
    return Package(
        input=input_arg, root=root_display, format=parsed.format, name=parsed.name or name_default,
        version=parsed.version, files=files, sha256=content_digest(files), manifest=parsed.manifest,
        manifest_path=parsed.manifest_path, surfaces=parsed.surfaces, errors=parsed.errors, skipped=skipped,
        nested=nested,
    )


def packages_from_tree(input_arg: str, base_display: str, base_path: str, files: tuple[PackageFile, ...],
                       skipped: tuple[str, ...]) -> list[Package]:
    """Split one tree of files (a directory or an archive) into packages."""
    roots = _roots(files)
    if not roots:
        return [build_package(input_arg, base_path, base_display, None, files, skipped)]
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
    for r, spec in sorted(roots.items()):
        display = base_display if not r else (f"{base_display}/{r}" if not base_display.endswith("/") else base_display + r)
        nested = tuple(sorted(
            d[len(r) + 1 if r else 0:] for d in _all_marker_dirs(files) if d != r and _owner(d, roots) == r
        )) if spec.owns_nested else ()
        pkg_skipped = tuple(s for s in skipped if not r or s.startswith(r + "/"))
        out.append(build_package(input_arg, os.path.join(base_path, r) if r else base_path, display, spec,
                                 tuple(by_root[r]), pkg_skipped, nested))
    if any(f.language not in DOC_LANGS for f in loose):
        out.append(build_package(input_arg, base_path, base_display, None, tuple(loose),
                                 tuple(s for s in skipped if _owner(s.split(":", 1)[0], roots) is None)))
    return out


def _all_marker_dirs(files: Iterable[PackageFile]) -> set[str]:
    present = {f.path for f in files}
    dirs = set()
    for spec in formats():
        for marker in spec.markers:
            for p in present:
                if p == marker or p.endswith("/" + marker):
                    d = p[: -len(marker)].rstrip("/")
                    dirs.add(d)
    return dirs


def nearest_root(path: Path) -> tuple[Path, FormatSpec] | None:
    """The nearest directory at or above `path` that is a package root."""
    current = path if path.is_dir() else path.parent
    for _ in range(64):
        for spec in formats():
            if any((current / m).is_file() for m in spec.markers):
                return current, spec
        if current.parent == current:
            return None
        current = current.parent
    return None


def load_path(input_arg: str, limits: Limits = Limits()) -> list[Package]:
    path = Path(input_arg)
    if not os.path.lexists(path):
        return [error_package(input_arg, f"{input_arg}: no such file or directory")]
    try:
        if path.is_dir():
            walked = walk_directory(str(path), limits)
            return packages_from_tree(input_arg, display_root(str(path)), str(path), walked.files, walked.skipped)
        if not path.is_file():
            return [error_package(input_arg, f"{input_arg}: not a regular file or directory")]
        from skillscan.loaders import archive  # lazily: archives are their own loader

        if archive.is_archive(path):
            return archive.load_archive(input_arg, path, limits)
        found = nearest_root(path.resolve())
        if found is not None:
            root, _spec = found
            walked = walk_directory(str(root), limits)
            pkgs = packages_from_tree(input_arg, display_root(str(root)), str(root), walked.files, walked.skipped)
            return pkgs[:1]
        size = path.stat().st_size
        with open(path, "rb") as fh:
            data = fh.read(limits.max_file_bytes)
        skipped = (f"{path.name}: larger than {limits.max_file_bytes} bytes, only the first part was read",) \
            if size > len(data) else ()
        f = make_file(path.name, data, executable=os.access(path, os.X_OK), limits=limits, truncated=bool(skipped))
        return [build_package(input_arg, str(path.parent), display_root(str(path)), None, (f,), skipped)]
    except (OSError, RecursionError, MemoryError) as exc:
        return [error_package(input_arg, f"{input_arg}: cannot be read: {exc}")]


def load_inputs(inputs: Iterable[str], limits: Limits = Limits()) -> list[Package]:
    packages: list[Package] = []
    seen: set[tuple[str, str]] = set()
    for arg in inputs:
        for pkg in load_path(arg, limits):
            key = (pkg.root, pkg.format)
            if key in seen and pkg.format != "unknown":
                continue
            seen.add(key)
            packages.append(pkg)
    return packages
