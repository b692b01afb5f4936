"""Process starts: the capability event of a subprocess / os.system / exec* call, py-detached-process, and the
shell analyzer run on the command line it starts (its findings are returned beside ours). Miner launches
and shell spawns are handed to the mining and reverse-shell families."""

from __future__ import annotations

import re

import libcst as cst

from skillscan.analyzers.python.capmap import ApiEntry
from skillscan.analyzers.python.checks.mining import MiningChecks
from skillscan.analyzers.python.checks.reverse_shell import ReverseShellChecks
from skillscan.analyzers.python.literals import call_kwarg, is_true
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.values import UNKNOWN
from skillscan.capabilities.grammar import normalize_binary
from skillscan.model import Capability, Location

RULE_IDS: tuple[str, ...] = ("py-process-exec", "py-detached-process")


class ProcessChecks(MiningChecks, ReverseShellChecks):
    # process starts of the capability map
    TRIGGERS = Triggers(capmap=True)

    def check_process(self, node: cst.Call, entry: ApiEntry, q: str, loc: Location) -> None:
        caps, argv, command = self._process_caps(node, entry)
        base = normalize_binary(argv[0]) if argv else UNKNOWN
        self.emit(self.capmap.rule_for(entry, caps[0].kind),
                  f"{q} runs {' '.join(argv)[:120] if argv else (command or 'a command')[:120]}", loc, caps)
        self.check_miner_launch(q, base, argv, command, loc)
        if base == "env" and argv and len(argv) > 1:
            base = normalize_binary(argv[1])
        if base in self._shells:
            self.note_shell_spawn(node, loc)
        self._check_detached(node, q, loc)
        # the shell analyzer reads the command itself
        if self.shell is not None:
            shell_string = entry.handler == "shell" or is_true(call_kwarg(node, "shell"))
            self._shell_findings(None if shell_string and command is not None else argv, command, loc)
        self.check_downloaded_run(argv, loc)

    def _check_detached(self, node: cst.Call, q: str, loc: Location) -> None:
        detached = []
        if is_true(call_kwarg(node, "start_new_session")):
            detached.append("start_new_session=True")
        pre = call_kwarg(node, "preexec_fn")
        if pre is not None and self.qualname(pre) in ("os.setsid", "os.setpgrp"):
            detached.append(f"preexec_fn={self.qualname(pre)}")
        flags = call_kwarg(node, "creationflags")
        if flags is not None and re.search(r"DETACHED_PROCESS|CREATE_NEW_PROCESS_GROUP|CREATE_BREAKAWAY",
                                           self.module.code_for_node(flags)):
            detached.append("creationflags detach")
        if q.startswith("os.spawn") and node.args and re.search(r"P_NOWAIT|P_DETACH",
                                                                self.module.code_for_node(node.args[0].value)):
            detached.append("P_NOWAIT")
        if detached:
            self.emit("py-detached-process", f"{q} starts a detached background process ({', '.join(detached)})",
                      loc, [Capability("proc.daemon")])

    def _shell_findings(self, argv: list[str] | None, command: str | None, loc: Location) -> None:
        if self.shell is None:
            return
        try:
            ctx = self.shell.CommandContext(self.path, line=loc.line, column=loc.column,
                                            max_confidence=self.confidence_cap, source="code")
            if argv is not None:
                found = self.shell.analyze_argv([w if w != UNKNOWN else "${UNRESOLVED}" for w in argv], ctx)
            elif command is not None:
                found = self.shell.analyze_command(command, ctx)
            else:
                return
        except Exception:  # noqa: BLE001 - the shell analyzer failing must not lose our own findings
            return
        self.shell_findings.extend(found)
