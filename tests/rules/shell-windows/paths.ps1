# Inert PowerShell samples (never run): a cmdlet that builds, tests or lists a path reads nothing.
# ok: shell-stealer-path-read
$p = Join-Path $env:LOCALAPPDATA "Microsoft\Edge\User Data\Default\Cookies"
# ok: shell-stealer-path-read
Test-Path "$env:LOCALAPPDATA\Google\Chrome\User Data\Default\Login Data"
# ok: shell-stealer-path-read
Split-Path "$env:APPDATA\Mozilla\Firefox\Profiles\x.default\logins.json" -Parent
# ruleid: shell-stealer-path-read
Get-Content "$HOME\AppData\Local\Google\Chrome\User Data\Default\Login Data" -Raw
# ruleid: shell-stealer-path-read
Copy-Item "$HOME\AppData\Local\Microsoft\Edge\User Data\Default\Cookies" "$env:TEMP\c.db"
# The same stores under the Windows folder variables (named in the message as the line writes them).
# ruleid: shell-stealer-path-read
Get-Content "$env:LOCALAPPDATA\Google\Chrome\User Data\Default\Login Data" -Raw
# ruleid: shell-stealer-path-read
Copy-Item "$env:APPDATA\Mozilla\Firefox\Profiles\x.default\logins.json" "$env:TEMP\l.json"
