// Compiled or packed content that hides code from a reader: Office documents that carry a VBA
// macro project, and executables packed by a runtime packer. Neither can be read by the engines, so
// each asks for review with the reason (issue 16, class "opaque code").

rule office_macro_document {
  meta:
    id = "office-macro-document"
    title = "Office document with a VBA macro project"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "code.dynamic[macro]"
    prose = "skip"
    what = "Reports an Office document that carries a VBA macro project: an Office Open XML package (`.docm`, `.xlsm`, `.pptm`, or a renamed `.docx`) whose zip directory holds `vbaProject.bin`, or an OLE2 compound file (`.doc`, `.xls`) with a `_VBA_PROJECT` stream. Not reported: macro-free documents (`.docx`, `.xlsx` without `vbaProject.bin`), templates that only mention macros in their text."
    why = "Macros run when the user opens the document and enables content; skillscan does not read VBA, so the document's behaviour is unknown. A skill that ships one asks the user or the agent to open code nobody reviewed."
    example = "```text\nreport-template.docm   (zip entry word/vbaProject.bin)\n```"
    remediation = "Ship documents without macros (`.docx`, `.xlsx`); put any automation in a script the package includes as source."
    reference = "https://learn.microsoft.com/en-us/openspecs/office_file_formats/ms-ovba/575462ba-bf67-4190-9fac-c275523c75fc"
    reference = "https://attack.mitre.org/techniques/T1137/001/"
  strings:
    $ooxml = "vbaProject.bin"
    $ole_vba = "_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T\x00"
  condition:
    (uint32(0) == 0x04034b50 and $ooxml) or (uint32(0) == 0xe011cfd0 and uint32(4) == 0xe11ab1a1 and $ole_vba)
}

rule packed_executable {
  meta:
    id = "packed-executable"
    title = "Executable packed by a runtime packer"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "code.dynamic[packed]"
    prose = "skip"
    what = "Reports a Windows (PE), Linux (ELF) or macOS (Mach-O) executable packed by a runtime packer: UPX (the `UPX!` stub header with its `UPX0`/`UPX1` sections, or ELF/Mach-O `UPX!` headers), MPRESS (`.MPRESS1`), ASPack (`.aspack`), Themida/WinLicense (`.themida`, `.winlice`), PECompact (`PEC2`) or Petite (`.petite`). Not reported: ordinary executables (reported as compiled code without source when their source is missing) and text that names a packer."
    why = "A packer compresses or encrypts the real program and unpacks it in memory, so neither strings nor imports show what it does; malware uses packers to pass static scanners."
    example = "```text\nbin/helper   (ELF, UPX!-packed)\n```"
    remediation = "Ship the program's source, or an unpacked build from a reproducible release the description links to."
    reference = "https://attack.mitre.org/techniques/T1027/002/"
    reference = "https://upx.github.io/"
  strings:
    $upx_magic = "UPX!"
    $upx0 = "UPX0"
    $upx1 = "UPX1"
    $mpress = ".MPRESS1"
    $aspack = ".aspack"
    $themida = ".themida"
    $winlic = ".winlice"
    $pec2 = "PEC2"
    $petite = ".petite"
  condition:
    (uint16(0) == 0x5a4d and (($upx0 and $upx1) or $mpress or $aspack or $themida or $winlic or $petite or
                              ($pec2 in (0..1024))))
    or ((uint32(0) == 0x464c457f or uint32(0) == 0xfeedfacf or uint32(0) == 0xfeedface or uint32(0) == 0xcafebabe)
        and $upx_magic in (0..4096))
}
