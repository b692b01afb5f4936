"""Environment access: reads of one variable (a credential name adds secrets.read), whole-environment reads
(iteration, `dict(os.environ)`, passing `os.environ` on) and writes to `os.environ[...]`."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.triggers import Triggers
from skillscan.analyzers.python.values import UNKNOWN, env_name_glob
from skillscan.capabilities.grammar import is_credential_env
from skillscan.model import Capability

RULE_IDS: tuple[str, ...] = ("py-env-access",)


class EnvironmentChecks(Flows):
    # reads of `os.environ` (the getters are in the capability map)
    TRIGGERS = Triggers(calls=frozenset({"os.environ"}))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "environ" and self.qualname(node) == "os.environ":
            self.loc.offset(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._store_targets:
            return
        if self.qualname(node.value) != "os.environ" or len(node.slice) != 1:
            return
        sl = node.slice[0].slice
        if not isinstance(sl, cst.Index):
            return
        name = self.value_of(sl.value)
        env = name.text if name is not None and name.exact else None
        caps = [Capability("env.read", env if env is not None else env_name_glob(name))]
        if env is not None and is_credential_env(env):
            caps.append(Capability("secrets.read", f"env:{env}"))
        rule = self.capmap.rule_for(None, "env.read")
        what = f"reads environment variable {env}" if env is not None else "reads an environment variable whose name is computed"
        self.emit(rule, what, self.loc.location(self.path, node), caps)

    def check_env_args(self, node: cst.Call) -> None:
        """Whole-environment reads passed as an argument (dict(os.environ), json.dumps(os.environ))."""
        for a in node.args:
            if a.keyword is not None and a.keyword.value == "env":
                continue
            if isinstance(a.value, cst.Attribute) and a.value.attr.value == "environ" and \
                    self.qualname(a.value) == "os.environ":
                self._env_dump(a.value)

    def check_env_iteration(self, node: cst.For) -> None:
        if isinstance(node.iter, cst.Attribute) and self.qualname(node.iter) == "os.environ":
            self._env_dump(node.iter)

    def check_env_write(self, target: cst.Subscript) -> bool:
        """`os.environ[name] = …`; True when the target was the environment."""
        if self.qualname(target.value) != "os.environ":
            return False
        sl = target.slice[0].slice if len(target.slice) == 1 else None
        name = self.value_of(sl.value) if isinstance(sl, cst.Index) else None
        self.emit(self.capmap.rule_for(None, "env.write"), "sets an environment variable",
                  self.loc.location(self.path, target),
                  [Capability("env.write", name.text if name is not None and name.exact else UNKNOWN)])
        return True

    def _env_dump(self, node: cst.CSTNode) -> None:
        self.emit(self.capmap.rule_for(None, "env.read"), "reads the whole environment",
                  self.loc.location(self.path, node), [Capability("env.read", "*")])
