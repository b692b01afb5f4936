"""Roles from document structure: who each line of a package's text speaks to.

`assign_roles(path, text, referenced=None) -> DocumentRoles`

- `path`: the file's path inside the package (`SKILL.md`, `references/api.md`, `agents/reviewer.md`).
- `text`: its content (already decoded).
- `referenced`: how the package's entry file refers to it (one of `REFERENCES`): `entry` (it is an
  instruction file itself: SKILL.md, commands/*.md, agents/*.md, CLAUDE.md, …), `follow` (SKILL.md
  tells the agent to read and follow it: an instruction wherever it lives, so moving a payload
  into references/ does not change its role), `link` (merely linked), `none`. `None` derives it from
  the path alone (`entry` for instruction files, else `none`).

`DocumentRoles` (frozen): `path`, `base` (the file's role) and `base_why`, `subagent` (True for an
agent/subagent definition, whose persona and mission statements are legitimate), `regions`: a
tuple of `Region(start, end, role, why, kind, negated)` (`kind`: what decided it — `text`, `section` (the
heading the line sits under), `fence`, `list`, `table`, `blockquote`, `html-comment`…) covering every line once (lines as
`split_lines` counts them: by \\n, as every engine numbers lines), 1-based inclusive lines, consecutive lines with the same decision merged; `role_at(line)` and
`region_at(line)` look one up.

Roles (`ROLES`): `agent-instruction` (the agent is told it), `user-command` (a command offered to
the user), `reference` (background, catalogues, docs), `quoted` (quoted, shown or negated text),
`test-data` (test and fixture data), `hidden` (HTML comments other than known tool directives,
invisible Unicode), `code` (code files). Decided from, in order of precedence:
1. the file's place: code extensions → `code`; tests/, fixtures/, evals/ → `test-data`; SKILL.md,
   command and agent files, always-loaded instruction files, or `follow` → `agent-instruction`;
   references/, docs/, examples/, README and other files → `reference`;
2. hidden text (not in code or test-data files): HTML comments, Unicode tag and bidi characters, the
   opening line of an element a rendered page hides, an invisible image's line and `[//]: # (…)`
   link-definition comments;
3. fences: the info string (shell and program languages vs data/output/example words) and the
   sentence introducing it ("run this in your terminal" → `user-command`; "the agent runs" →
   `agent-instruction`; "for example"/"attackers" → `reference`); a data fence is `quoted`;
4. blockquotes → `quoted` (GitHub alerts `> [!NOTE]` keep the section's role);
5. tables whose header names patterns/indicators/severity → `reference`;
6. a negated sentence ("never", "do not", "不要", "禁止") → `quoted` with `negated=True`
   (a prohibition the agent obeys is still an instruction for rules whose meaning is itself a
   prohibition, e.g. secrecy toward the user: use `negated`, not the role, there); a sentence that
   describes a behaviour ("attackers might…", "for example", "攻击者", "例如") → `reference`;
7. the section: headings below the title (level 2 and deeper) that introduce catalogues of attacks, detection or background →
   `reference`; test cases → `test-data` (but a paragraph of an instruction file that says what the agent or
   the skill's code does while it works stays an instruction: a heading that merely mentions fixtures does
   not make it test data, `operative_cue`);
8. otherwise the file's role.
Roles describe structure; the decision layer judges malice indicators the same in every role.
The work is linear in the text (one markdown-it block parse, one pass over lines)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

from skillscan.analyzers.literal_gate import fold, gate
from skillscan.analyzers.markdown_blocks import block_tokens

ROLES = ("agent-instruction", "user-command", "reference", "quoted", "test-data", "hidden", "code")
REFERENCES = ("entry", "follow", "link", "none")
MAX_CHARS = 2_000_000  # longer text: the rest keeps the file's role (reported in `truncated`)
_HIDDEN_CHARS = re.compile("[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069]")
_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
_ALERT = re.compile(r"^\s*>\s*(?:\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]|\*\*(?:Note|Warning|Tip|Important)\*\*)",
                    re.IGNORECASE)
_FRONTMATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(?:.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


_CARRIAGE_RETURNS = re.compile(r"\r\n?")


def _lf_only(text: str) -> str:
    """`text` with \\r\\n as \\n and a lone \\r as a space: markdown-it ends a line at a lone \\r, the rest of
    skillscan does not, and a role must sit on the line a finding cites."""
    return _CARRIAGE_RETURNS.sub(lambda m: "\n" if len(m.group()) == 2 else " ", text)


def split_lines(text: str) -> list[str]:
    """Lines as every engine of skillscan numbers them: split on \\n (\\r\\n counts once; a lone \\r is no
    line break); a final line break ends the last line."""
    parts = _lf_only(text).split("\n")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    role: str
    why: str
    kind: str = "text"
    negated: bool = False


@dataclass(frozen=True)
class DocumentRoles:
    path: str
    base: str
    base_why: str
    regions: tuple[Region, ...]
    subagent: bool = False
    truncated: bool = False

    def region_at(self, line: int) -> Region | None:
        lo, hi = 0, len(self.regions) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            r = self.regions[mid]
            if line < r.start:
                hi = mid - 1
            elif line > r.end:
                lo = mid + 1
            else:
                return r
        return None

    def role_at(self, line: int) -> str:
        r = self.region_at(line)
        return r.role if r else self.base


@dataclass(frozen=True)
class Vocab:
    instruction_files: frozenset[str]
    instruction_suffixes: frozenset[str]
    agent_suffixes: frozenset[str]
    instruction_dirs: frozenset[str]
    test_dirs: frozenset[str]
    reference_dirs: frozenset[str]
    reference_files: frozenset[str]
    code_extensions: frozenset[str]
    shell_fence: frozenset[str]
    program_fence: frozenset[str]
    data_fence: frozenset[str]
    reference_heading: re.Pattern[str]
    test_heading: re.Pattern[str]
    user_cue: re.Pattern[str]
    agent_cue: re.Pattern[str]
    describe_cue: re.Pattern[str]
    negation: re.Pattern[str]
    table_reference_header: re.Pattern[str]
    directive_comment: re.Pattern[str]
    # coding-rules files (Cursor `.mdc` rules, `.cursorrules`…) and the labels of their good/bad code examples
    coding_rules_files: frozenset[str] = frozenset()
    good_label: re.Pattern[str] | None = None
    bad_label: re.Pattern[str] | None = None
    # the line introducing a list of things to reject or warn about ("Check for these RED FLAGS:")
    indicator_list_cue: re.Pattern[str] | None = None
    # a paragraph saying what the agent or the skill's code does while it works (keeps an instruction under a
    # heading that merely mentions tests or fixtures)
    operative_cue: re.Pattern[str] | None = None


def _alt(patterns: Any) -> re.Pattern[str]:
    if not isinstance(patterns, list) or not patterns:
        raise ValueError("roles vocabulary: expected a non-empty list of patterns")
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.MULTILINE)


def _set(values: Any) -> frozenset[str]:
    if not isinstance(values, list):
        raise ValueError("roles vocabulary: expected a list")
    return frozenset(str(v).lower() for v in values)


def build_vocab(data: Any) -> Vocab:
    if not isinstance(data, dict):
        raise ValueError("roles vocabulary: expected a mapping")
    sets = ("instruction_files", "instruction_suffixes", "agent_suffixes", "instruction_dirs", "test_dirs", "reference_dirs", "reference_files",
            "code_extensions", "shell_fence", "program_fence", "data_fence")
    pats = ("reference_heading", "test_heading", "user_cue", "agent_cue", "describe_cue", "negation",
            "table_reference_header", "directive_comment")
    optional = {k: _set(data[k]) for k in ("coding_rules_files",) if k in data}
    optional |= {k: _alt(data[k]) for k in ("good_label", "bad_label", "indicator_list_cue", "operative_cue") if k in data}
    return Vocab(**{k: _set(data.get(k)) for k in sets}, **{k: _alt(data.get(k)) for k in pats}, **optional)


@lru_cache(maxsize=1)
def load_vocab() -> Vocab:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    return build_vocab(load_yaml_file(rules_dir() / "roles" / "vocab.yaml"))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")


def file_role(path: str, referenced: str | None = None, vocab: Vocab | None = None) -> tuple[str, str, bool]:
    """The role of a whole file from its place and how the entry file refers to it:
    (role, why, is_subagent_definition)."""
    v = vocab or load_vocab()
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    name = parts[-1].lower() if parts else ""
    dirs = [p.lower() for p in parts[:-1]]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    subagent = (bool(dirs) and dirs[-1] == "agents" and ext == "md") or name.endswith(tuple(v.agent_suffixes))
    if ext in v.code_extensions:
        return "code", f"a code file (.{ext})", False
    if any(d in v.test_dirs for d in dirs):
        d = next(d for d in dirs if d in v.test_dirs)
        return "test-data", f"a file under {d}/", False
    if referenced == "follow":
        return "agent-instruction", "a file the entry file tells the agent to read and follow", subagent
    entry = (name in v.instruction_files or name.endswith(".mdc") or name.endswith(tuple(v.instruction_suffixes))
             or (bool(dirs) and dirs[-1] in v.instruction_dirs and ext in ("md", "mdc", "toml", "txt")))
    if referenced == "entry" or (referenced is None and entry):
        what = "an agent or subagent definition" if subagent else "an instruction file the agent loads"
        return "agent-instruction", what, subagent
    if referenced == "link":
        return "reference", "a file the entry file only links to", False
    if any(d in v.reference_dirs for d in dirs):
        d = next(d for d in dirs if d in v.reference_dirs)
        return "reference", f"a file under {d}/", False
    if name in v.reference_files:
        return "reference", f"{parts[-1]}, written for people", False
    return "reference", "a file no instruction file tells the agent to follow", False


def _fence_role(info: str, intro: str, base: str, v: Vocab) -> tuple[str, str]:
    words = [w.lower() for w in re.split(r"[\s{},.=:;]+", info) if w]
    lang = words[0] if words else ""
    if any(w in v.data_fence for w in words) or (lang and lang not in v.shell_fence and lang not in v.program_fence):
        return "quoted", f"a block labelled {lang}, shown as text or data" if lang else "a block shown as data"
    what = f"a {lang} block" if lang else "an unlabelled code block"
    if intro and (v.describe_cue.search(intro) or (v.indicator_list_cue and v.indicator_list_cue.search(intro))):
        return "reference", f"{what} introduced as a description or example"
    if intro and v.user_cue.search(intro):
        return "user-command", f"{what} offered to the user to run"
    if intro and v.agent_cue.search(intro):
        return "agent-instruction", f"{what} the agent is told to run"
    if base == "agent-instruction":
        return "agent-instruction", f"{what} in an instruction file"
    return base, f"{what} in {'reference material' if base == 'reference' else 'the file'}"


def _sections(lines: list[str], headings: dict[int, tuple[int, str]], v: Vocab) -> list[tuple[str, str] | None]:
    """For each line, the role its section gives it (None: the section says nothing): a heading that
    introduces reference or test material covers every line up to the next heading of its level or
    higher; a subsection inherits it."""
    stack: list[tuple[int, tuple[str, str] | None]] = []
    out: list[tuple[str, str] | None] = [None] * len(lines)
    for i in range(len(lines)):
        if i in headings:
            level, title = headings[i]
            while stack and stack[-1][0] >= level:
                stack.pop()
            quoted_title = f"under the heading \"{title.strip()[:60]}\""
            if level == 1:
                stack.append((level, None))  # a title names the topic; it never makes a document a catalogue
            elif v.test_heading.search(title):
                stack.append((level, ("test-data", quoted_title)))
            elif v.reference_heading.search(title):
                stack.append((level, ("reference", quoted_title)))
            else:
                stack.append((level, stack[-1][1] if stack else None))
        if stack:
            out[i] = stack[-1][1]
    return out


def _intro(lines: list[str], first: int) -> str:
    """The last non-blank line (or two) before line index `first`, within a short reach."""
    out: list[str] = []
    i = first - 1
    while i >= 0 and first - i <= 4 and len(out) < 2:
        s = lines[i].strip()
        if s.startswith(("```", "~~~")):
            break
        if s:
            out.append(s)
        elif out:
            break
        i -= 1
    return " ".join(reversed(out))


def _operative_lines(tokens: list[Any], shift: int, lines: list[str], section_at: list[tuple[str, str] | None],
                     v: Vocab) -> set[int]:
    """Line indices of the paragraphs, in a section the heading makes test data, that say what the agent or
    the skill's own code does while it works or tell the agent what to put in what it delivers
    (`operative_cue`): an instruction whatever the heading says. A paragraph describing the fixtures, or a
    test case's text, keeps the section's role."""
    out: set[int] = set()
    if v.operative_cue is None:
        return out
    for tok in tokens:
        if tok.type != "paragraph_open" or not tok.map:
            continue
        top, bottom = tok.map[0] + shift, min(tok.map[1] + shift, len(lines))
        if top >= bottom or section_at[top] is None or section_at[top][0] != "test-data":
            continue
        text = " ".join(_LIST_MARK.sub("", lines[i]).strip() for i in range(top, bottom))
        if v.operative_cue.search(text):
            out.update(range(top, bottom))
    return out


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _coding_rules(path: str, lines: list[str], v: Vocab) -> bool:
    """A coding-rules file (a Cursor `.mdc` rule, `.cursorrules`…: it tells the agent how to write code)
    that contrasts good and bad examples: a line that is only a good label ("✅ GOOD:") and one that is
    only a bad label ("❌ BAD:")."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if v.good_label is None or v.bad_label is None or not any(
            name == f or (f.startswith("*") and name.endswith(f[1:])) for f in v.coding_rules_files):
        return False
    good = bad = False
    for line in lines:
        s = line.strip()
        if len(s) > 40:
            continue
        good = good or bool(v.good_label.fullmatch(s))
        bad = bad or bool(v.bad_label.fullmatch(s))
        if good and bad:
            return True
    return False


def _label_before(lines: list[str], first: int, v: Vocab) -> bool:
    """The nearest non-blank line before line index `first` is only a good or bad example label."""
    for i in range(first - 1, max(first - 4, -1), -1):
        s = lines[i].strip()
        if s:
            return len(s) <= 40 and bool((v.good_label and v.good_label.fullmatch(s)) or
                                         (v.bad_label and v.bad_label.fullmatch(s)))
    return False


def assign_roles(path: str, text: str, referenced: str | None = None, *, vocab: Vocab | None = None) -> DocumentRoles:
    v = vocab or load_vocab()
    if referenced is not None and referenced not in REFERENCES:
        raise ValueError(f"referenced must be one of {REFERENCES}")
    base, base_why, subagent = file_role(path, referenced, v)
    truncated = len(text) > MAX_CHARS
    body = _lf_only(text[:MAX_CHARS])
    lines = split_lines(body)
    n = len(split_lines(text))
    roles: list[tuple[str, str, str, bool] | None] = [None] * len(lines)
    if base in ("code", "test-data"):
        return DocumentRoles(path, base, base_why, (Region(1, n, base, base_why, "file"),), subagent, truncated)
    # frontmatter: the file's own metadata, loaded with it (kept as the file's role)
    fm = _FRONTMATTER.match(body)
    fm_lines = body[:fm.end()].count("\n") if fm else 0
    for i in range(min(fm_lines, len(lines))):
        roles[i] = (base, "frontmatter", "frontmatter", False)
    # the body after the frontmatter is parsed alone, its line map moved down by the frontmatter's lines: the
    # text the instructions engine parses (one parse per text, markdown_blocks.py), and the tokens a parse of
    # the body behind that many blank lines gives (leading blank lines start no block and end none)
    tokens, _ = block_tokens(_markdown(), body[fm.end():] if fm else body, keep=False)
    shift = fm_lines
    headings: dict[int, tuple[int, str]] = {}  # line index → (level, title)
    for idx, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map and idx + 1 < len(tokens):
            headings[tok.map[0] + shift] = (int(tok.tag[1:]), tokens[idx + 1].content)
    section_at = _sections(lines, headings, v)
    operative = _operative_lines(tokens, shift, lines, section_at, v) if base == "agent-instruction" else set()
    style_guide = base == "agent-instruction" and _coding_rules(path, lines, v)
    quote_depth = 0
    for tok in tokens:
        if tok.type == "blockquote_close":
            quote_depth -= 1
            continue
        if not tok.map:
            continue
        top, bottom = tok.map[0] + shift, tok.map[1] + shift
        if tok.type == "blockquote_open":
            quote_depth += 1
            if quote_depth == 1 and not _ALERT.match(lines[top] if top < len(lines) else ""):
                for i in range(top, min(bottom, len(lines))):
                    roles[i] = roles[i] or ("quoted", "a blockquote", "blockquote", False)
        elif tok.type in ("bullet_list_open", "ordered_list_open") and v.indicator_list_cue is not None and (
                (intro := _intro(lines, top)) and v.indicator_list_cue.search(intro)):
            for i in range(top, min(bottom, len(lines))):
                roles[i] = roles[i] or ("reference", "a list of things to reject or warn about", "list", False)
        elif tok.type == "table_open":
            header = lines[top] if top < len(lines) else ""
            if v.table_reference_header.search(header):
                for i in range(top, min(bottom, len(lines))):
                    roles[i] = roles[i] or ("reference", "a table of patterns or indicators", "table", False)
        elif tok.type in ("fence", "code_block"):
            first, last = top, min(bottom, len(lines))
            inner_base = (section_at[first] or (base, ""))[0]
            if quote_depth:
                role, why = "quoted", "a code block inside a blockquote"
            elif style_guide and _label_before(lines, first, v):
                role, why = "reference", "a good or bad example of code style in a coding-rules file"
            elif tok.type == "code_block":
                role, why = _fence_role("", _intro(lines, first), inner_base, v)
            else:
                role, why = _fence_role(tok.info, _intro(lines, first), inner_base, v)
            for i in range(first, last):
                if roles[i] is None:
                    roles[i] = (role, why, "fence", False)
    # prose lines: negation and description, then the section, then the file's role; a line holding none of
    # the words every match of a cue holds is not searched for it (literal_gate.py)
    negation, describe = gate(v.negation), gate(v.describe_cue)
    for i, line in enumerate(lines):
        if roles[i] is not None:
            continue
        s = line.strip()
        if s and base in ("agent-instruction", "reference") and i not in headings:
            low = fold(s)
            if negation.may_match(low) and v.negation.search(_LIST_MARK.sub("", s)):
                roles[i] = ("quoted", "a negated sentence", "text", True)
                continue
            if describe.may_match(low) and v.describe_cue.search(s):
                roles[i] = ("reference", "a sentence that describes rather than instructs", "text", False)
                continue
        if i in operative:
            roles[i] = (base, "a paragraph saying what the agent or the skill does, under a heading that only "
                              "mentions tests or fixtures", "text", False)
        elif section_at[i] is not None:
            roles[i] = (section_at[i][0], section_at[i][1], "section", False)
        elif not s and i > 0 and roles[i - 1] is not None and roles[i - 1][2] == "text":
            roles[i] = roles[i - 1]
    # hidden text overrides everything else
    counted, first = 0, 0
    for m in _COMMENT.finditer(body):
        content = m.group(1)
        first += body.count("\n", counted, m.start())  # incremental: linear in the text
        counted = m.start()
        last = first + m.group(0).count("\n")
        if v.directive_comment.search(content.strip()) and "\n" not in content.strip():
            continue
        if not content.strip() or (roles[first] is not None and roles[first][2] == "fence"):
            continue  # empty, or shown inside a code block (an XML/HTML comment in the code, visible)
        for i in range(first, min(last + 1, len(lines))):
            roles[i] = ("hidden", "inside an HTML comment", "html-comment", False)
    element, link_comment, image = _hidden_markup()
    hidden_chars = not body.isascii() and _HIDDEN_CHARS.search(body) is not None  # one search (none in ASCII) for all lines
    for i, line in enumerate(lines):
        if hidden_chars and _HIDDEN_CHARS.search(line):
            roles[i] = ("hidden", "contains invisible tag or bidi-control characters", "hidden-chars", False)
        elif roles[i] is not None and roles[i][2] == "fence":
            continue
        elif "]:" in line and link_comment.match(line):
            roles[i] = ("hidden", "a link reference definition used as a comment", "hidden-markup", False)
        elif "<" in line and element.search(line):
            roles[i] = ("hidden", "in an element the rendered page hides", "hidden-markup", False)
        elif "<" in line and image.search(line):
            roles[i] = ("hidden", "the text of an invisible image", "hidden-markup", False)
    for first, last in _hidden_spans(body, element):  # every line of a multi-line hidden element, not only its first
        if roles[first] is not None and roles[first][0] == "hidden" and roles[first][2] == "hidden-markup":
            for i in range(first + 1, min(last + 1, len(lines))):
                if roles[i] is None or roles[i][2] != "fence":
                    roles[i] = ("hidden", "in an element the rendered page hides", "hidden-markup", False)
    regions: list[Region] = []  # one per run of lines with the same (role, why, kind, negated)
    run_start, current = 0, None
    for i in range(len(lines)):
        here = roles[i] or (base, base_why, "text", False)
        if here != current:
            if current is not None:
                regions.append(Region(run_start + 1, i, *current))
            run_start, current = i, here
    if current is not None:
        regions.append(Region(run_start + 1, len(lines), *current))
    if n > len(lines):
        regions.append(Region(len(lines) + 1, n, base, f"{base_why} (beyond the analysed length)", "text"))
    return DocumentRoles(path, base, base_why, tuple(regions), subagent, truncated)


_HIDDEN_SPAN = 4000  # characters of one hidden element looked at for its closing tag (as hidden.py reads it)


def _hidden_spans(body: str, element: re.Pattern[str]) -> list[tuple[int, int]]:
    """(first, last) 0-based lines of each hidden element that closes on a later line (or runs on for
    _HIDDEN_SPAN characters without closing), linear in the text."""
    if "<" not in body:
        return []
    out: list[tuple[int, int]] = []
    counted, line = 0, 0
    for m in element.finditer(body):
        line += body.count("\n", counted, m.start())
        counted = m.start()
        window = body[m.end():m.end() + _HIDDEN_SPAN]
        close = re.search(rf"</{re.escape(m.group('tag'))}\s*>", window, re.IGNORECASE)
        inner = window[:close.start()] if close else window
        extra = body.count("\n", m.start(), m.end()) + inner.count("\n")
        if extra:
            out.append((line, line + extra))
    return out


@lru_cache(maxsize=1)
def _hidden_markup() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Hidden elements and `[//]: # (…)` lines (rules/instructions/hidden.yaml, shared with the
    instructions engine's hidden.py): the line that opens them is `hidden`."""
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "instructions" / "hidden.yaml")
    return (re.compile(data["hidden_element"], re.IGNORECASE), re.compile(data["link_comment"], re.IGNORECASE),
            re.compile(data["invisible_image"], re.IGNORECASE))
