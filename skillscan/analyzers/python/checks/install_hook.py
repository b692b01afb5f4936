"""py-install-hook-written: a script writes a `package.json` (its write is a `fs.write[…package.json]` event of
this file) and holds the manifest's install hook — a `scripts` entry `preinstall`, `install` or `postinstall`,
in a dict literal or in JSON text. Whoever runs `npm install` in the generated project runs that command,
without reading it: the package plants code in the user's project instead of running it itself. A generated
manifest whose scripts are `build`, `test`, `prepare`… is not reported."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.code_vocab import json_install_hooks, words
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.walk import code_children as children

RULE_IDS: tuple[str, ...] = ("py-install-hook-written",)

HOOKS = words("install_hooks")
MAX_REPORTS = 2
MAX_SHOWN = 80


class InstallHookChecks(Flows):
    # a report needs a package.json write: a call of the capability map
    TRIGGERS = Triggers(capmap=True)

    def finish_install_hook(self, module: cst.Module) -> None:
        writes = [e.location for e in self.result.events for c in e.capabilities
                  if c.kind == "fs.write" and (c.scope or "").endswith("package.json")]
        if not writes:
            return
        hooks = self._hooks(module)
        if len(hooks) > MAX_REPORTS:
            self.over_cap("py-install-hook-written", MAX_REPORTS, len(hooks) - MAX_REPORTS)
        for node, hook, command in hooks[:MAX_REPORTS]:
            shown = command if len(command) <= MAX_SHOWN else command[:MAX_SHOWN] + "…"
            self.emit("py-install-hook-written",
                      f"holds an install hook (the `{hook}` script runs `{shown}`) and this file writes a package.json "
                      f"(line {writes[0].line}): every `npm install` of the generated project runs it",
                      self.loc.location(self.path, node), related=writes[:1])

    def _hooks(self, module: cst.Module) -> list[tuple[cst.CSTNode, str, str]]:
        out: list[tuple[cst.CSTNode, str, str]] = []
        for n in _walk(module):
            if isinstance(n, cst.Dict):
                for e in n.elements:
                    if not isinstance(e, cst.DictElement) or not isinstance(e.value, cst.Dict):
                        continue
                    key = self.value_of(e.key)
                    if key is None or key.text != "scripts":
                        continue
                    for s in e.value.elements:
                        name = self.value_of(s.key) if isinstance(s, cst.DictElement) else None
                        command = self.value_of(s.value) if isinstance(s, cst.DictElement) else None
                        if name is not None and name.text in HOOKS and command is not None:
                            out.append((s.value, name.text, command.text))
            elif isinstance(n, cst.SimpleString) and "scripts" in n.value:
                text = self.value_of(n)
                out.extend((n, hook, command) for hook, command in
                           json_install_hooks(text.text if text is not None else ""))
        return out


def _walk(node: cst.CSTNode):  # type: ignore[no-untyped-def]
    """Every node under `node`, in source order."""
    stack = list(reversed(children(node)))
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))
