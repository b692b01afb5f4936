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
