"""Per-class table of the code-and-command recall mechanisms (issue 16), measured from two runs of
bench/quality.py --json: for each class, the inputs whose report contains one of the class's rules,
malicious (msb-train) and benign (calib), before and after, and the verdict counts of the inputs that
moved. Writes the table into docs/benchmarks.md between `<!-- recall-classes:start -->` and
`<!-- recall-classes:end -->`.

    python bench/quality.py --sets dev,calib,msb-train --no-write --json before.json   # on the old commit
    python bench/quality.py --sets dev,calib,msb-train --no-write --json after.json    # on the new one
    python bench/recall_classes.py before.json after.json [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import write_block

# class → (the rules whose findings the class's mechanisms add, what the class now catches)
CLASSES: dict[str, tuple[tuple[str, ...], str]] = {
    "values that travel": (("shell-secret-file-read", "py-secret-access", "shell-persistence"),
                           ("for loops over literal lists and arrays (shell), `\"${A[@]}\"`, curl `@FILE` fields, "
                           "`tar -C DIR` operands, Python for loops over literal lists/tuples/sets")),
    "inline interpreters": (("py-exec-decoded-payload", "decoded-payload", "py-dynamic-code"),
                            ("`python -c` / `node -e` code (decoded or not) in scripts, fences and hook/MCP/install "
                            "commands read by the file engines")),
    "uploads": (("shell-network-upload",),
                "scp/rsync to a remote destination, `gh gist create`, `git push URL`, curl `-F f=@FILE`"),
    "agent approvals off": (("shell-agent-approvals-off",),
                            "claude/codex/gemini started with approvals or sandbox turned off"),
    "persistence forms": (("shell-persistence",), ("rc files written in a loop, here-docs redirected into "
                          "LaunchAgents/systemd units")),
    "opaque code": (("pyc-bytecode-content", "office-macro-document", "packed-executable"),
                    "compiled Python read for names and constants; Office documents with a VBA project and "
                    "executables packed by UPX/MPRESS/ASPack/Themida/PECompact/Petite (review)"),
    "PowerShell expressions": (("shell-env-read", "shell-credential-store-read"),
                               "(counts every finding of these two rules, bash included) "
                               "`[Environment]::GetEnvironmentVariables()`, DPAPI `ProtectedData]::Unprotect`, "
                               "`Get-StoredCredential`, `PasswordVault` read on a tree-sitter-powershell parse"),
    "environment sent out": (("shell-env-exfiltration",),
                             "`printenv`/`env`/`cat /proc/self/environ` piped into `curl -d @-`/`-T -`/`nc`; a "
                             "PowerShell variable holding the environment or a credential read sent by a web cmdlet"),
    "DNS exfiltration": (("shell-dns-exfiltration",),
                         "`dig`/`nslookup`/`host`/`Resolve-DnsName` of a name that starts with command output or "
                         "a variable assigned from a command, under a literal domain"),
    "inline interpreters (perl/ruby/php)": (("shell-decoded-payload-exec",),
                                            "`perl -e`/`ruby -e`/`php -r` code that executes a base64/hex-decoded "
                                            "literal; its `system(\"…\")` strings analysed as commands"),
    "agent credential stores": (("py-secret-access", "py-secret-exfiltration-flow", "shell-secret-file-read"),
                                "(counts every finding of these rules) OpenClaw `auth-profiles.json`, Gemini account/MCP token files, and credential "
                                "stores under a written-out home (`/root/…`, `/home/<user>/…`)"),
    "sabotage in scripts": (("py-outside-file-steers-output",),
                            "a Python script that tests for a fixed data file under a written-out home or data "
                            "root and reads it (review)"),
    "miners as data": (("miner-pool-endpoint", "miner-stratum-url", "miner-wallet-pool-pair", "miner-config"),
                       "pool host of a stratum URL or known pool in the inferred egress"),
}


def _load(path: str) -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in json.loads(Path(path).read_text(encoding="utf-8"))}


def _count(runs: dict[str, dict[str, object]], rules: tuple[str, ...], label: str) -> int:
    return sum(1 for r in runs.values() if r["label"] == label and set(r["rules"]) & set(rules))  # type: ignore[arg-type]


def table(before: dict[str, dict[str, object]], after: dict[str, dict[str, object]]) -> str:
    lines = [("| class | what it catches | malicious inputs with its rules (before → after) | "
             "benign inputs with its rules (before → after) |"), "|---|---|---|---|"]
    for name, (rules, what) in CLASSES.items():
        lines.append(f"| {name} | {what} | {_count(before, rules, 'malicious')} → {_count(after, rules, 'malicious')}"
                     f" | {_count(before, rules, 'benign')} → {_count(after, rules, 'benign')} |")
    rank = {"allow": 0, "review": 1, "block": 2, "error": 3}
    up = [i for i in after if i in before and rank[after[i]["verdict"]] > rank[before[i]["verdict"]]]  # type: ignore[index]
    down = [i for i in after if i in before and rank[after[i]["verdict"]] < rank[before[i]["verdict"]]]  # type: ignore[index]
    mal_up = sum(1 for i in up if after[i]["label"] == "malicious")
    ben_up = sum(1 for i in up if after[i]["label"] == "benign")
    lines += ["", (f"Inputs whose verdict rose: {mal_up} malicious, {ben_up} benign; fell: {len(down)}. "
              "Rules counted are those the class's mechanisms report (an input can count in several classes).")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    body = ("## Recall in code and commands, per class (`bench/recall_classes.py`)\n\n"
            "Command: `python bench/quality.py --sets dev,calib,msb-train --no-write --json RUN.json` on the commit "
            "before and after the change, then `python bench/recall_classes.py BEFORE.json AFTER.json`.\n\n"
            + table(_load(a.before), _load(a.after)))
    print(body)
    if not a.no_write:
        write_block("recall-classes", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
