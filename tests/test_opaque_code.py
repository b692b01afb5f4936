"""Opaque code (issue 16): Office documents with a VBA macro project and executables packed by a
runtime packer are reported (review, with the reason); macro-free documents, plain executables and
text that names a packer are not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from clirun import make_skill, scan_json

from skillscan.analyzers.yara import YaraAnalyzer
from skillscan.loaders.files import make_file
from skillscan.model import Package

PKG = Package(input=".", root=".", format="generic", name="t")
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x02\x00\x3e\x00" + b"\0" * 100
MZ = b"MZ" + b"\0" * 58 + b"\x80\0\0\0" + b"\0" * 64 + b"PE\0\0"
OLE = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504


def rules_of(path: str, data: bytes) -> set[str]:
    return {f.rule_id for f in YaraAnalyzer().analyze_file(PKG, make_file(path, data)).findings}


def ooxml(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_macro_documents() -> None:
    docm = ooxml({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                  "word/vbaProject.bin": bytes(range(256)) * 4})
    assert "office-macro-document" in rules_of("templates/report.docm", docm)
    assert "office-macro-document" in rules_of("templates/report.docx", docm)  # renamed, same content
    vba = "_VBA_PROJECT".encode("utf-16-le")
    assert "office-macro-document" in rules_of("old.xls", OLE + vba + b"\0" * 64)


def test_documents_without_macros() -> None:
    docx = ooxml({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>vbaProject</w:document>"})
    assert "office-macro-document" not in rules_of("templates/report.docx", docx)
    assert "office-macro-document" not in rules_of("old.doc", OLE + b"WordDocument".ljust(64, b"\0"))
    assert "office-macro-document" not in rules_of("notes.md", b"Macros live in vbaProject.bin and _VBA_PROJECT.")


def test_packed_executables() -> None:
    assert "packed-executable" in rules_of("bin/helper", ELF + b"UPX!" + bytes(range(256)) * 8)
    assert "packed-executable" in rules_of("tool.exe", MZ + b"UPX0\0\0\0\0" + b"\0" * 32 + b"UPX1\0\0\0\0")
    assert "packed-executable" in rules_of("tool.exe", MZ + b".MPRESS1" + b"\0" * 64)


def test_plain_executables_and_text_naming_packers() -> None:
    assert "packed-executable" not in rules_of("bin/helper", ELF + b".text\0.data\0" + bytes(range(256)))
    assert "packed-executable" not in rules_of("tool.exe", MZ + b".text\0\0\0.rdata\0\0")
    assert "packed-executable" not in rules_of("README.md", b"Packed with UPX! (UPX0/UPX1 sections), not .aspack")


def test_a_macro_document_asks_for_review(tmp_path: Path) -> None:
    pkg = make_skill(tmp_path, "report-kit", body="Fill in `templates/report.docm`.\n")
    (pkg / "templates").mkdir()
    (pkg / "templates" / "report.docm").write_bytes(
        ooxml({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": bytes(range(256)) * 4}))
    report, _ = scan_json(str(pkg))
    p = report["packages"][0]
    assert p["verdict"] == "review"
    assert any(r.startswith("office-macro-document:") for r in p["reasons"])
