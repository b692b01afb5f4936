"""Dependency manifests shipped in a package: `requirements*.txt`, `pyproject.toml` (PEP 621 and Poetry),
PEP 723 `# /// script` blocks, `package.json` dependencies and npm lifecycle scripts. Each declared
dependency becomes `pkg.install[<ecosystem>:<name>@<version>]` evidence; lifecycle scripts also become
`install` surfaces. Vendored trees (`node_modules/`, `.venv/`, `site-packages/`) are not the package's
own declarations and are skipped."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from skillscan.formats.common import ManifestError, key_line, load_json_text
from skillscan.lines import text_lines
from skillscan.model import PackageFile, Surface

VENDORED = ("node_modules", ".venv", "venv", "site-packages", "dist-packages", "vendor", "__pypackages__")
LIFECYCLE = ("preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare", "prepublish",
             "preuninstall", "uninstall", "postuninstall")
MAX_DEPENDENCIES = 2000
_PEP723 = re.compile(r"(?m)^# /// script\s*$\n((?:^#(?: .*)?$\n)*?)^# ///\s*$")


@dataclass(frozen=True)
class Dependency:
    ecosystem: str  # pypi | npm
    name: str
    spec: str  # version constraint as written ("" if none)
    path: str
    line: int
    kind: str = "runtime"  # runtime | dev | optional | build | url
    hashed: bool = False  # pip `--hash=…` given: the artefact is pinned by digest

    @property
    def scope(self) -> str:
        version = self.spec.lstrip("=") if re.fullmatch(r"==?\s*[\w.+!-]+", self.spec.strip()) else self.spec
        version = version.strip()
        return f"{self.ecosystem}:{self.name}@{version}" if version else f"{self.ecosystem}:{self.name}"

    @property
    def pinned(self) -> bool:
        s = self.spec.strip()
        if self.hashed:
            return True
        if self.ecosystem == "pypi" and self.kind != "url" and s and "sha256:" not in s:
            from packaging.specifiers import InvalidSpecifier, SpecifierSet  # imported on first use (start-up time)

            try:
                specs = list(SpecifierSet(s))
            except InvalidSpecifier:
                specs = []  # Poetry's own syntax (`1.2.3`, `^1.2`): the patterns below
            if specs:
                return len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
        return bool(re.fullmatch(r"(==|===)\s*[\w.+!-]+", s) or re.fullmatch(r"\d+(\.\d+)*([-+][\w.]+)?", s)
                    or "sha256:" in s or re.search(r"#[0-9a-f]{40}\b", s))


def vendored(path: str) -> bool:
    return any(part in VENDORED for part in path.split("/")[:-1])


def _requirement(line_text: str, path: str, line: int, kind: str = "runtime") -> Dependency | None:
    """One requirement line (requirements files, PEP 621 / PEP 723 lists), parsed as PEP 508 by `packaging`.
    pip options are skipped, except editable installs (`-e URL`), which are URL dependencies; a trailing
    `--hash=…` marks the requirement as hash-pinned."""
    text = line_text.split(" #", 1)[0].strip().removesuffix("\\").strip()
    if not text or text.startswith("#"):
        return None
    if text.startswith(("-e ", "--editable ", "--editable=")):
        return Dependency("pypi", text.replace("=", " ").split()[-1], "", path, line, "url")
    if text.startswith("-"):
        return None  # -r, -c, --index-url and the other pip options
    requirement, _, options = text.partition(" --")
    hashed = any(o.startswith("hash=") for o in (" --" + options).split(" --")[1:])
    if "://" in requirement and " @ " not in requirement or requirement.startswith(("git+", "./", "../", "/")):
        name = requirement.split("#egg=", 1)[-1] if "#egg=" in requirement else requirement
        return Dependency("pypi", name.split()[0], requirement, path, line, "url")
    from packaging.requirements import InvalidRequirement, Requirement  # imported on first use (start-up time)
    from packaging.utils import canonicalize_name

    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return None
    name = canonicalize_name(req.name)
    if req.url:
        return Dependency("pypi", name, req.url, path, line, "url")
    return Dependency("pypi", name, str(req.specifier), path, line, kind, hashed=hashed)


def requirements(f: PackageFile) -> list[Dependency]:
    out = []
    for i, raw in enumerate(text_lines(f.text or ""), start=1):
        dep = _requirement(raw, f.path, i)
        if dep is not None:
            out.append(dep)
    return out


def pyproject(f: PackageFile) -> list[Dependency]:
    text = f.text or ""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return []
    out: list[Dependency] = []

    def add(items: Any, kind: str) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str):
                dep = _requirement(item, f.path, _line(text, item), kind)
                if dep is not None:
                    out.append(dep)

    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    add(project.get("dependencies"), "runtime")
    for group in (project.get("optional-dependencies") or {}).values() if isinstance(
            project.get("optional-dependencies"), dict) else []:
        add(group, "optional")
    for group in (data.get("dependency-groups") or {}).values() if isinstance(data.get("dependency-groups"), dict) else []:
        add(group, "dev")
    build = data.get("build-system") if isinstance(data.get("build-system"), dict) else {}
    add(build.get("requires"), "build")
    poetry = ((data.get("tool") or {}).get("poetry") or {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        for key, kind in (("dependencies", "runtime"), ("dev-dependencies", "dev")):
            deps = poetry.get(key)
            for name, spec in deps.items() if isinstance(deps, dict) else []:
                if name.lower() == "python":
                    continue
                version = spec if isinstance(spec, str) else str(spec.get("version", "")) if isinstance(spec, dict) else ""
                out.append(Dependency("pypi", name.lower(), version.lstrip("^~"), f.path, key_line(text, name), kind))
    return out


def pep723(f: PackageFile) -> list[Dependency]:
    text = f.text or ""
    if "# /// script" not in text:
        return []
    out: list[Dependency] = []
    for m in _PEP723.finditer(text):
        body = "\n".join(line[2:] if line.startswith("# ") else line[1:] for line in m.group(1).splitlines())
        try:
            data = tomllib.loads(body)
        except tomllib.TOMLDecodeError:
            continue
        start_line = text.count("\n", 0, m.start()) + 1
        for item in data.get("dependencies") or [] if isinstance(data.get("dependencies"), list) else []:
            if isinstance(item, str):
                offset = m.group(1).find(item)
                line = start_line + 1 + (m.group(1).count("\n", 0, offset) if offset >= 0 else 0)
                dep = _requirement(item, f.path, line)
                if dep is not None:
                    out.append(dep)
    return out


def package_json(f: PackageFile) -> tuple[list[Dependency], list[Surface]]:
    text = f.text or ""
    try:
        data = load_json_text(text)
    except ManifestError:
        return [], []
    if not isinstance(data, dict):
        return [], []
    out: list[Dependency] = []
    for key, kind in (("dependencies", "runtime"), ("devDependencies", "dev"), ("optionalDependencies", "optional"),
                      ("peerDependencies", "peer")):
        deps = data.get(key)
        for name, spec in deps.items() if isinstance(deps, dict) else []:
            spec_s = str(spec)
            out.append(Dependency("npm", str(name), spec_s, f.path, key_line(text, str(name)),
                                  "url" if re.match(r"^(https?:|git\+|git:|github:|file:|[\w-]+/[\w.-]+(#.*)?$)", spec_s)
                                  else kind))
    surfaces: list[Surface] = []
    scripts = data.get("scripts")
    for name, command in scripts.items() if isinstance(scripts, dict) else []:
        if name in LIFECYCLE and isinstance(command, str) and command.strip():
            surfaces.append(Surface(kind="install", path=f.path, command=command.strip(), event=name,
                                    line=key_line(text, name), extra=(("installer", "npm"), ("script", name))))
    return out, surfaces


def _line(text: str, needle: str) -> int:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 1


def scan_dependencies(files: tuple[PackageFile, ...]) -> tuple[list[Dependency], list[Surface]]:
    """Every dependency the package declares, and the npm lifecycle scripts that run on install."""
    deps: list[Dependency] = []
    surfaces: list[Surface] = []
    for f in files:
        if f.virtual or f.text is None or f.truncated or vendored(f.path):
            continue
        name = f.path.rsplit("/", 1)[-1]
        if name.startswith("requirements") and name.endswith((".txt", ".in")):
            deps += requirements(f)
        elif name == "pyproject.toml":
            deps += pyproject(f)
        elif name == "package.json":
            d, s = package_json(f)
            deps += d
            surfaces += s
        elif f.language == "python" or name.endswith(".py"):
            deps += pep723(f)
        if len(deps) > MAX_DEPENDENCIES:
            break
    return deps[:MAX_DEPENDENCIES], surfaces
