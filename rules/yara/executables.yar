// Native executables in a package (REFERENCE.md 3.5 D, top-25 #25). Matched on the magic number at
// offset 0 only. Under `bin/` a binary may be a declared artefact: the analyzer lowers the severity.

rule embedded_executable {
  meta:
    id = "embedded-executable"
    title = "Native executable in the package"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "code.dynamic[native]"
    prose = "hard"
    declared_dirs = "bin"
    what = "Reports files that start with an ELF, Mach-O (32/64-bit, either byte order), universal (fat) Mach-O or PE (MZ + PE header) signature."
    why = "A compiled binary cannot be reviewed like source and is how stealers and miners are delivered. Binaries a plugin deliberately ships belong in `bin/` (reported with low severity there); anywhere else, e.g. `assets/`, they are unexpected."
    example = "```text\nassets/helper.dat: ELF 64-bit LSB executable\n```"
    remediation = "Ship source, or move the binary to `bin/`, document how it is built and publish its checksum."
    reference = "https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html"
    reference = "https://learn.microsoft.com/en-us/windows/win32/debug/pe-format"
    reference = "https://github.com/apple-oss-distributions/xnu/blob/main/EXTERNAL_HEADERS/mach-o/loader.h"
  condition:
    uint32(0) == 0x464c457f
    or uint32(0) == 0xfeedface or uint32(0) == 0xfeedfacf
    or uint32(0) == 0xcefaedfe or uint32(0) == 0xcffaedfe
    or (uint32be(0) == 0xcafebabe and uint32be(4) > 0 and uint32be(4) < 0x20)
    or (uint16(0) == 0x5a4d and filesize > 0x40 and uint32(0x3c) < filesize - 4 and uint32(uint32(0x3c)) == 0x00004550)
}
