"""Instructions that run a shell script the package does not ship, or a program file of any language named
under the host's placeholder for the skill's own directory (`python3 {baseDir}/scripts/x.py`).
An npm install hook (`preinstall`, `install`, `postinstall`, `prepare`) of the package's own package.json that
runs a script file the package does not ship is the same unseen code, run by every `npm install`
(install-hook-missing-script).

A skill whose instructions say `./setup.sh` or `source env.sh` while no such file is in the package
asks the agent to run code nobody can review: whatever sits at that path on the user's machine, or
arrives later, is what runs (the "bundled artifact" trojan). The scan cannot vouch for it, so it is
reported for review rather than passed unseen.

Which documents are read as instructions here is on purpose not `Package.followed` (the analyze
stage's fact, read by the instructions engine and the roles): that fact holds reference files
(references/, docs/…) that any Markdown document of the package — a README included — tells the
agent to follow. This rule reads the entry files (SKILL.md, commands/*.md, agents/*.md) and any file
an entry file tells the agent to follow (`follows.followed_files`), wherever it lives: a root
INSTALL.md that SKILL.md says to follow runs scripts as surely as references/setup.md, while a
README's "follow the steps in docs/setup.md" is addressed to a person installing the package, so a
script missing from those steps is not reported as the agent being told to run unseen code. Moving
this rule onto `Package.followed` would change its findings, so it is a judgement change, not a
refactor.

Not reported, because the code is in front of the reviewer or nothing is run:
- a script the same document writes or downloads before the line that runs it (`cat > x.sh <<EOF`,
  `tee x.sh`, `curl -o x.sh URL`, `wget -O x.sh`), or lays out as a file's content (a fence whose first
  lines name it, or a line just before the fence naming it: "Create `scripts/x.sh`:") — its code is in
  the document, and a download is judged by the remote-code rules;
- a name given as an example after "e.g.", "for example", "such as", "例如" ("e.g. `./deploy.sh`");
- a usage string a script prints about itself (`echo "Usage: ./recon.sh <domain>"`): text, not a run;
- a bare name (`./split-chain.sh`) the package ships in one of its directories (`scripts/split-chain.sh`):
  run from that directory;
- calls inside a script the document lays out as a file for the user's project (a fence starting with
  `#!` whose header names its own path: `# scripts/setup-dev.sh`): they run in that project when the
  script is run there, and the script itself is in front of the reviewer."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.follows import followed_files
from skillscan.capabilities.commands import program_name, unwrap, words
from skillscan.formats.common import key_line, load_json_text, mapping
from skillscan.loaders.deps import vendored
from skillscan.lines import text_lines
from skillscan.model import Capability, Channel, Finding, Package

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("instructions-run-missing-script", "install-hook-missing-script")

FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"`([^`\n]{2,200})`")
# running a local shell script: ./x.sh, source x.sh, . x.sh, bash|sh|zsh x.sh
RUN_SCRIPT = re.compile(
    r"(?:^|[\s;&|(])(?:(?:source|\.|bash|sh|zsh)[ \t]{1,8}|\./)"
    r"(?P<path>(?:\.{1,2}/)?(?:[\w.-]{1,128}/){0,16}[\w.-]{1,128}\.(?:sh|bash|zsh|command))\b")
# every RUN_SCRIPT match contains one of these: a text (or code span) without any cannot match
EXTENSIONS = (".sh", ".bash", ".zsh", ".command")
# running a program file the skill's own directory holds, named through the host's placeholder for that
# directory (`python3 {baseDir}/scripts/x.py`, `node ${CLAUDE_PLUGIN_ROOT}/x.mjs`): an interpreter, or the
# command position, before it. The placeholder makes the path the package's, whatever the language.
SKILL_DIR = ("{baseDir}", "baseDir}", "$baseDir", "CLAUDE_PLUGIN_ROOT", "SKILL_DIR", "skill_dir", "SKILL_ROOT")
RUN_IN_SKILL_DIR = re.compile(
    r"(?:(?:^|[;&|(]|\$)[ \t]*|(?:^|[\s;&|(])(?:python3?|node|bun|deno(?:[ \t]+run)?|ruby|perl|php|bash|sh|zsh|"
    r"uv[ \t]+run|tsx|ts-node)[ \t]+(?:-[\w-]+[ \t]+){0,3})[\"']?"
    r"(?:\{baseDir\}|\$\{?(?:baseDir|CLAUDE_PLUGIN_ROOT|SKILL_DIR|CLAUDE_SKILL_DIR|SKILL_ROOT)\}?|\{(?:skill_dir|SKILL_DIR)\})/"
    r"(?P<path>(?:[\w.-]{1,128}/){0,16}[\w.-]{1,128}\.(?:py|js|mjs|cjs|ts|rb|pl|php|sh|bash|zsh))\b", re.MULTILINE)
MAX_SPAN = 64 * 1024  # longer code blocks are data, not instructions to run a script
DOC_NAMES = ("SKILL.md", "skill.md")
MAX_REPORTS = 5


# the command of a line that only prints text: a script's usage line names the script without running it
PRINTS = re.compile(r"^\s*(?:echo|printf|print|say|log_info|log)\b")
# a step that writes or downloads a file: `> x.sh`, `tee x.sh`, `-o x.sh`, `-O x.sh`, `--output x.sh`
WRITES = r"(?:>>?|\btee(?:[ \t]+-a)?|(?:^|[ \t])-[oO]|--output(?:-document)?[ =]?)[ \t]*[\"']?(?:[\w.$/{}~-]*/)?"
# a fence's own header naming the file it lays out: `# scripts/x.sh`, `// x.sh`, `# File: x.sh`
HEADER = re.compile(r"^[ \t]*(?:#|//)[ \t]*(?:(?:file|filename|save as|path)[ \t]*:?[ \t]*)?"
                    r"(?P<path>(?:[\w.-]{1,128}/){0,16}[\w.-]{1,128}\.(?:sh|bash|zsh|command))[ \t]*$", re.IGNORECASE)
NAMES = re.compile(r"[\w.-]{1,128}\.(?:sh|bash|zsh|command)\b")
CREATES = re.compile(r"(?i)\b(?:create|save|write|add)\b|创建|保存|写入|新建")
LAYS_OUT_LINES = 3  # header lines of a fence, and lines before it, that may name the file it lays out


def _quoted_at(line: str, at: int) -> bool:
    """True when position `at` of a shell line is inside a quoted string."""
    quote = ""
    for ch in line[:at]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
    return bool(quote)


def _printed(code: str, start: int) -> bool:
    """The match at `start` is inside the quoted text of a line that prints it (a usage string)."""
    ls = code.rfind("\n", 0, start) + 1
    le = code.find("\n", start)
    line = code[ls:le if le >= 0 else len(code)]
    return bool(PRINTS.match(line)) and _quoted_at(line, start - ls)


def _laid_out(text: str, offset: int, code: str) -> set[str]:
    """Base names of the files a fence (starting at `offset`, body `code`) lays out: named by its own
    header comment, after an optional shebang, or by a line just before the fence that says to create,
    save or write it. A fence that itself runs the name is a command, not the file's content."""
    names: set[str] = set()
    for line in code.split("\n", LAYS_OUT_LINES + 1)[:LAYS_OUT_LINES]:
        if not line.startswith("#!") and (m := HEADER.match(line)):
            names.add(posixpath.basename(m.group("path")))
    for line in text[max(0, offset - 600):offset].split("\n")[-LAYS_OUT_LINES - 1:-1]:
        if CREATES.search(line):
            names.update(m.group(0) for m in NAMES.finditer(line))
    return names - {posixpath.basename(m.group("path")) for m in RUN_SCRIPT.finditer(code)}


# a name given as an example of what the user's own script might be called: "e.g. `./deploy.sh`"
EXAMPLE_BEFORE = re.compile(r"(?:\be\.g\.,?|\bfor\s+example,?|\bsuch\s+as|\blike|例如|比如|如)[\s:：,，(（]*$", re.IGNORECASE)


def _named_as_example(text: str, offset: int, code: str) -> bool:
    """An inline code span (`offset` inside the prose, not a fence) right after an example marker."""
    if "\n" in code or offset < 1 or text[offset - 1] != "`":
        return False
    ls = text.rfind("\n", 0, offset) + 1
    return EXAMPLE_BEFORE.search(text[max(ls, offset - 40):offset - 1]) is not None


def _written_before(text: str, upto: int, name: str) -> bool:
    """The document writes or downloads a file of this base name before `upto`."""
    return re.search(WRITES + re.escape(name) + r"\b", text[:upto], re.MULTILINE) is not None


def _code_spans(text: str) -> list[tuple[int, str]]:
    """(offset, code) for fenced blocks and inline code spans."""
    spans = [(m.start(2), m.group(2)) for m in FENCE.finditer(text)]
    stripped = FENCE.sub(lambda m: " " * len(m.group(0)), text)
    spans += [(m.start(1), m.group(1)) for m in INLINE.finditer(stripped)]
    return spans


# npm's install-time hooks: a file they run is code that runs on the user's `npm install`
INSTALL_HOOKS = ("preinstall", "install", "postinstall", "prepare")
INTERPRETERS = frozenset({"node", "python", "sh", "bash", "zsh", "bun", "deno", "tsx", "ts-node", "ruby", "perl"})
SCRIPT_FILE = re.compile(r"^(?:\./)?(?:[\w.-]{1,128}/){0,16}[\w.-]{1,128}\.(?:js|cjs|mjs|ts|py|sh|bash|rb|pl)$")
COMMAND_SEP = re.compile(r"&&|\|\||[;|]")


def hook_files(command: str) -> list[str]:
    """The local script files an install hook's command line runs: the first operand of an interpreter
    (`node scripts/setup.js`) or a path in the command position (`./setup.sh`), per command of the line."""
    out: list[str] = []
    for part in COMMAND_SEP.split(command[:4096]):
        argv = unwrap(words(part))
        if not argv:
            continue
        if program_name(argv[0]) in INTERPRETERS:
            operand = next((a for a in argv[1:] if not a.startswith("-")), "")
        else:
            operand = argv[0] if argv[0].startswith("./") else ""
        if SCRIPT_FILE.match(operand):
            out.append(operand)
    return out


def missing_hook_scripts(package: Package, present: set[str]) -> list[Finding]:
    """npm install hooks of the package's own package.json files that run a script file it does not ship."""
    out: list[Finding] = []
    for f in package.files:
        if f.virtual or f.text is None or f.truncated or posixpath.basename(f.path) != "package.json" \
                or vendored(f.path):
            continue
        try:
            scripts = mapping(mapping(load_json_text(f.text)).get("scripts"))
        except ValueError:
            continue  # an unreadable manifest is the manifest analyzer's report
        for hook in INSTALL_HOOKS:
            command = scripts.get(hook)
            if not isinstance(command, str):
                continue
            for raw in hook_files(command):
                rel = posixpath.normpath(posixpath.join(posixpath.dirname(f.path), raw))
                if rel.startswith("../") or rel in present or len(out) >= MAX_REPORTS:
                    continue
                line = key_line(f.text, hook)
                out.append(finding(
                    "install-hook-missing-script",
                    f"the `{hook}` script of {f.path} runs `{raw}`, which the package does not contain: the code "
                    "that runs on install cannot be reviewed", f.path, line,
                    snippet=text_lines(f.text)[line - 1].strip(), channel=Channel.MANIFEST,
                    capabilities=[Capability("proc.exec", posixpath.basename(raw))]))
    return out


class MissingScriptAnalyzer:
    name = "missing-scripts"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        present = {f.path for f in package.files if not f.virtual}
        shipped: dict[str, int] = {}
        for p in present:
            shipped[posixpath.basename(p)] = shipped.get(posixpath.basename(p), 0) + 1
        out: list[Finding] = []
        followed = followed_files(package)
        out += missing_hook_scripts(package, present)
        for f in package.files:
            if f.virtual or f.text is None or f.language != "markdown" or f.truncated:
                continue
            if f.path not in DOC_NAMES and not f.path.startswith(("commands/", "agents/")) and f.path not in followed:
                continue
            if not any(ext in f.text for ext in EXTENSIONS) and not any(d in f.text for d in SKILL_DIR):
                continue
            base = posixpath.dirname(f.path)
            reported: set[str] = set()
            lines: list[str] | None = None
            laid: set[str] = set()
            spans = _code_spans(f.text)
            for offset, code in spans:
                if len(code) <= MAX_SPAN:
                    laid |= _laid_out(f.text, offset, code)
            for offset, code in spans:
                if len(code) > MAX_SPAN:
                    continue
                template = code.startswith("#!") and bool(_laid_out(f.text, offset, code))
                runs = list(RUN_SCRIPT.finditer(code)) if any(ext in code for ext in EXTENSIONS) else []
                # a path under the skill directory's placeholder is relative to the package root
                runs += [m for m in RUN_IN_SKILL_DIR.finditer(code)] if any(d in code for d in SKILL_DIR) else []
                for m in runs:
                    raw = m.group("path")
                    rel = posixpath.normpath(posixpath.join(base if m.re is RUN_SCRIPT else "", raw))
                    if rel.startswith("../") or rel in present or posixpath.normpath(raw) in present:
                        continue
                    if "$" in raw or raw in reported or len(reported) >= MAX_REPORTS:
                        continue
                    name = posixpath.basename(raw)
                    if ("/" not in posixpath.normpath(raw) and shipped.get(name) == 1) or name in laid or template \
                            or _printed(code, m.start("path")) or _named_as_example(f.text, offset, code) \
                            or _written_before(f.text, offset + m.start("path"), name):
                        continue
                    reported.add(raw)
                    line = f.text.count("\n", 0, offset + m.start("path")) + 1
                    if lines is None:
                        lines = text_lines(f.text)
                    out.append(finding(
                        "instructions-run-missing-script",
                        f"instructions run `{raw}`, which the package does not contain: the code that would run "
                        "cannot be reviewed", f.path, line, snippet=lines[line - 1] if f.text else "",
                        channel=Channel.INSTRUCTION, capabilities=[Capability("proc.exec", posixpath.basename(raw))]))
        return out
