"""The rewrites of bench/evasion.py do what their names say, and only that: prose words change,
fences, inline code, paths and URLs do not; Python stays valid and means the same."""

from __future__ import annotations

import ast
import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import evasion

DOC = ("---\nname: x\ndescription: demo\n---\n# Title\n\nPlease read references/setup.md and open "
       "https://example.com/page then run `curl https://example.com`.\n\n```bash\necho hello world\n# note\n```\n")


def test_zero_width_only_in_prose_words() -> None:
    out = evasion.map_prose(DOC, evasion.zero_width)
    assert "Pl\u200bease" in out and " run " in out  # words of four letters or more
    assert "references/setup.md" in out and "https://example.com/page" in out
    assert "`curl https://example.com`" in out and "echo hello world" in out
    assert out.startswith("---\nname: x\ndescription: demo\n---\n")
    assert out.replace("\u200b", "") == DOC


def test_cyrillic_look_alikes() -> None:
    out = evasion.map_prose(DOC, evasion.cyrillic)
    assert "Рlеаsе".lower()[1:] in out  # P is upper case: only a, e, o, c, p are replaced
    assert "echo hello world" in out and "references/setup.md" in out
    assert out.translate({0x430: "a", 0x435: "e", 0x43E: "o", 0x441: "c", 0x440: "p"}) == DOC


def test_base64_shell_wraps_each_fence_line(tmp_path: Path) -> None:
    (tmp_path / "SKILL.md").write_text(DOC, encoding="utf-8")
    evasion.base64_shell(tmp_path)
    text = (tmp_path / "SKILL.md").read_text(encoding="utf-8")
    encoded = base64.b64encode(b"echo hello world").decode()
    assert f"echo {encoded} | base64 -d | sh\n" in text and "# note\n" in text
    assert "run `curl https://example.com`" in text


def test_moved_to_references(tmp_path: Path) -> None:
    (tmp_path / "SKILL.md").write_text(DOC, encoding="utf-8")
    evasion.move_to_references(tmp_path)
    skill = (tmp_path / "SKILL.md").read_text(encoding="utf-8")
    assert skill == "---\nname: x\ndescription: demo\n---\n\nFollow references/setup.md\n"
    assert (tmp_path / "references" / "setup.md").read_text(encoding="utf-8").startswith("# Title")


def test_padding_is_three_megabytes_before_the_body(tmp_path: Path) -> None:
    (tmp_path / "SKILL.md").write_text(DOC, encoding="utf-8")
    evasion.pad(tmp_path)
    text = (tmp_path / "SKILL.md").read_text(encoding="utf-8")
    assert len(text) > 3 * 1024 * 1024 and text.startswith("---\nname: x") and text.endswith(DOC[DOC.index("# Title"):])


def _fold(node: ast.expr) -> object:
    """The value of a concatenation of literals (never runs anything)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _fold(node.left) + _fold(node.right)  # type: ignore[operator]
    raise AssertionError(ast.dump(node))


def test_python_split_keeps_meaning() -> None:
    src = 'x = "hello world" "again"\ny = "%s abc" % x\nz = b"bytesval".decode()\nw = f"{x} kept"\n'
    out = evasion.split_strings(src)
    assert "'hel' + 'lo '" in out and 'f"{x} kept"' in out and "('%s ' + 'abc')%" in out.replace(" %", "%")
    tree = ast.parse(out)
    values = {t.targets[0].id: t.value for t in tree.body if isinstance(t, ast.Assign)}  # type: ignore[attr-defined]
    assert _fold(values["x"]) == "hello worldagain"
    assert _fold(values["z"].func.value) == b"bytesval"  # type: ignore[attr-defined]
    assert _fold(values["y"].left) == "%s abc"  # type: ignore[attr-defined]


def test_python_split_leaves_unparsable_source_alone() -> None:
    assert evasion.split_strings("def (:\n  'abcdef'\n") == "def (:\n  'abcdef'\n"
