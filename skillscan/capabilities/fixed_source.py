"""The one implementation of a "fixed source": a file whose path the script itself writes down — a literal,
alone or under the script's own location (`config.json`, `./steps.yaml`, `Path(__file__).parent / "x.json"`,
`"$(dirname "$0")/config.json"`, `$PSScriptRoot\\config.json`). What such a file holds is the author's own
configuration, shipped with the package or set up by its user, and is analysed for what it holds where the
package ships it; it is not data someone else wrote.

Not fixed: a path computed at run time (an argument `$1`, `sys.argv[1]`, any other variable), the standard
input (`-`, `/dev/stdin`), a URL, a temporary or download directory (`/tmp/…`, `~/Downloads/…`,
`$TMPDIR/…`, `$env:TEMP\\…`), and a file the same script wrote first (`curl -o plan.json …`: the caller
passes those names as `written`).

Both data-command checks ask here: the Python one (`py-runs-data-command`) with the literal texts of a
path expression whose only name is `__file__`, the shell one (`shell-runs-data-command`) with a file operand
of `jq`/`yq`/`Get-Content` as written."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable
from pathlib import PurePosixPath

from skillscan.lazyre import lazy

# how a script names its own location: the only expansion a fixed path may hold (bash, PowerShell, cmd) — exactly
# `$(dirname "$0")` (or realpath / readlink -f of it), `$(cd "$(dirname "$0")" && pwd)`, `${0%/*}`, `$PSScriptRoot`,
# `%~dp0`: nothing else may run inside the substitution (`$(cd "$(dirname "$0")" && mktemp -d)` is not its folder)
_SELF = r"""["']?(?:\$0|\$\{0\}|\$\{?BASH_SOURCE(?:\[0\])?\}?)["']?"""
_ANCHOR = lazy(r"\$\(\s*(?:dirname|realpath|readlink\s+-f)\s+(?:--\s+)?" + _SELF + r"\s*\)"
               r"|\$\(\s*cd\s+(?:--\s+)?\"?\$\(\s*dirname\s+(?:--\s+)?" + _SELF +
               r"\s*\)\"?\s*(?:&&|;)\s*pwd(?:\s+-[PL])?\s*\)"
               r"|\$\{(?:0|BASH_SOURCE(?:\[0\])?)%/\*\}|\$PSScriptRoot\b|\$\{PSScriptRoot\}|%~dp0")
# any other expansion: a variable, a command substitution, an argument
_EXPANSION = lazy(r"\$|`|%[A-Za-z_]\w*%")
# where run-time data, not configuration, is put
_VOLATILE = lazy(r"(?i)^(?:/tmp/|/var/tmp/|/dev/(?:stdin|fd/)|/proc/|~/downloads/|[a-z]:[\\/](?:windows[\\/])?temp[\\/])"
                 r"|[\\/]downloads[\\/]|^[a-z][a-z0-9+.-]*://")


def fixed_path(text: str, written: Collection[str] = ()) -> bool:
    """`text`, a path as the script writes it (quotes kept or not), names a fixed source: a literal, or a literal
    under the script's own location, that is not the standard input, a URL, a temporary or download directory,
    nor one of `written` (files the same script wrote or downloaded before reading them)."""
    bare = text.strip().strip("'\"")
    if not bare or bare == "-":
        return False
    rest = _ANCHOR.sub("", bare)
    # `..` is resolved before the place is judged: `$(dirname "$0")/../../../../tmp/x`, `/var/../tmp/x` are in /tmp
    resolved = posixpath.normpath(rest.replace("\\", "/")) if ".." in rest else rest
    if _EXPANSION.search(rest) or _VOLATILE.search(bare) or _VOLATILE.search(resolved):
        return False
    plain = rest.replace("\\", "/").lstrip("/") if rest != bare else bare.replace("\\", "/")
    if not plain.strip("/. "):
        return False
    name = PurePosixPath(plain).name
    return not any(w and (w == bare or w == plain or PurePosixPath(w.replace("\\", "/")).name == name) for w in written)


def fixed_literals(texts: Iterable[str], written: Collection[str] = ()) -> bool:
    """Every literal of a path expression (`"config"`, `"steps.json"` of `Path(__file__).parent / "config" /
    "steps.json"`) is a fixed path; at least one literal is given."""
    parts = list(texts)
    return bool(parts) and all(fixed_path(p, written) or p.strip("/\\") == "" for p in parts)
