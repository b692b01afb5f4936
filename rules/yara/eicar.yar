// The EICAR anti-malware test string: harmless, but every antivirus flags it.

rule eicar_test_file {
  meta:
    id = "eicar-test-file"
    title = "EICAR anti-malware test string"
    class = "malicious"
    severity = "high"
    confidence = "high"
    prose = "hard"
    what = "Reports the 68-byte EICAR test string anywhere in a file."
    why = "The string is not malware, but it exists to make scanners fire: in a skill it is either a test that should not be published or an attempt to get the package (or the machine installing it) quarantined. Registries treat it as a malware hit."
    example = "```text\nX5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!... (the 68-byte string published by EICAR)\n```"
    remediation = "Remove the test string from the published package."
    reference = "https://www.eicar.org/download-anti-malware-testfile/"
  strings:
    $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
  condition:
    $eicar
}
