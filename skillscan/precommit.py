"""The pre-commit hook (`skillscan-pre-commit FILE...`): scan the package roots that the committed
files belong to, and nothing else.

pre-commit passes the staged file names. Each is mapped to the nearest package root at or above it
inside the repository (a directory holding a format marker: SKILL.md, .claude-plugin/plugin.json,
gemini-extension.json, an MCP bundle or Dify manifest… — the same markers `skillscan scan` uses);
files outside every root (an ordinary README, application code) are not scanned. Each root is
scanned once, in author mode, by the real CLI; the hook prints which roots it scanned and, for every
package that is not `allow`, its verdict, reasons and findings — with `--quiet` too, which only
leaves out the packages that pass. The exit code is the scan's (1 at `--fail-on`, 2 on errors).

Options it reads: `--quiet`/`-q`; every other option goes to `skillscan scan` unchanged
(`--fail-on review`, `--config FILE`, `--min-severity medium`…)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

MAX_FINDINGS_SHOWN = 20


def package_roots(files: Iterable[str], top: Path) -> tuple[list[str], list[str]]:
    """(the package roots, relative to `top`, that the files belong to; the files outside every root)."""
    from skillscan.loaders.discover import nearest_root

    top = top.resolve()
    roots: dict[str, None] = {}
    outside: list[str] = []
    by_dir: dict[Path, str | None] = {}
    for name in files:
        path = (top / name).resolve() if not os.path.isabs(name) else Path(name).resolve()
        directory = path if path.is_dir() else path.parent
        if directory not in by_dir:
            found = nearest_root(directory)
            root = None
            if found is not None:
                candidate = found[0].resolve()
                if candidate == top or top in candidate.parents:
                    root = candidate.relative_to(top).as_posix() or "."
            by_dir[directory] = root
        root = by_dir[directory]
        if root is None:
            outside.append(name)
        else:
            roots.setdefault(root, None)
    return sorted(roots), outside


def _split_args(argv: Sequence[str]) -> tuple[bool, list[str], list[str]]:
    """(quiet, options for skillscan scan, file names). Options that take a value keep it."""
    takes_value = {"--fail-on", "--config", "--min-severity", "--policy", "--baseline", "--jobs", "-j", "--as-of",
                   "--max-files", "--max-file-size", "--max-total-size", "--max-ratio", "--max-archive-depth",
                   "--cache-dir", "--ca-bundle"}
    quiet, options, files = False, [], []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            files.extend(args[i + 1:])
            break
        if arg in ("--quiet", "-q"):
            quiet = True
        elif arg in takes_value and i + 1 < len(args):
            options += [arg, args[i + 1]]
            i += 1
        elif arg.startswith("-"):
            options.append(arg)
        else:
            files.append(arg)
        i += 1
    return quiet, options, files


def _describe(pkg: dict[str, Any]) -> list[str]:
    from skillscan.report.sanitize import visible

    name = f", {visible(pkg['name'])}" if pkg.get("name") else ""
    lines = [f"{pkg['verdict'].upper():6} {visible(pkg['root'])}  ({visible(pkg['format'])}{name})"]
    for reason in pkg.get("reasons") or []:
        lines.append(f"  reason: {visible(reason)}")
    for err in pkg.get("errors") or []:
        if err not in (pkg.get("reasons") or []):
            lines.append(f"  error: {visible(err)}")
    findings = pkg.get("findings") or []
    root = str(pkg.get("root") or ".")
    for f in findings[:MAX_FINDINGS_SHOWN]:
        where = f["path"] if root == "." else f"{root.rstrip('/')}/{f['path']}"  # relative to the repository
        lines.append(f"  {visible(where)}:{f['line']}: {f['severity']} {f['rule_id']}: {visible(f['message'])}")
    if len(findings) > MAX_FINDINGS_SHOWN:
        lines.append(f"  … and {len(findings) - MAX_FINDINGS_SHOWN} more findings (run `skillscan scan "
                     f"{visible(pkg['root'])}`)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    quiet, options, files = _split_args(sys.argv[1:] if argv is None else argv)
    roots, outside = package_roots(files, Path.cwd())
    if not roots:
        if not quiet:
            print(f"skillscan: none of the {len(files)} file(s) is inside a package root; nothing to scan")
        return 0
    with tempfile.TemporaryDirectory(prefix="skillscan-pre-commit-") as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run([sys.executable, "-m", "skillscan", "scan", "--author", "--quiet", "--format", "json",
                               "--output", str(out), *options, "--", *roots], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, check=False)
        try:
            doc = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr or f"skillscan: the scan failed (exit {proc.returncode})\n")
            return proc.returncode or 2
    from skillscan.report.sanitize import visible

    packages = doc.get("packages") or []
    print(f"skillscan: scanned {len(roots)} package root(s): {', '.join(visible(r) for r in roots)}"
          + (f"; {len(outside)} file(s) outside any package root not scanned" if outside else ""))
    for pkg in packages:
        if quiet and pkg.get("verdict") == "allow":
            continue
        if pkg.get("verdict") == "allow":
            print(f"ALLOW  {visible(pkg['root'])}  ({visible(pkg['format'])})")
            continue
        print("\n".join(_describe(pkg)))
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
