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
# a ForEach-Object block runs once per item of the pipeline's list, `$_` bound to it; Join-Path of known parts is known
$profiles = @("$env:LOCALAPPDATA\Google\Chrome\User Data\Default", "$env:LOCALAPPDATA\Microsoft\Edge\User Data\Default")
$profiles | Where-Object { Test-Path $_ } | ForEach-Object {
    $db = Join-Path $_ 'Network\Cookies'
    # ruleid: shell-stealer-path-read
    Copy-Item $db "$env:TEMP\c.db"
}
$docs = @("C:\work\notes", "C:\work\drafts")
$docs | ForEach-Object {
    $f = Join-Path $_ 'index.md'
    # ok: shell-stealer-path-read
    Copy-Item $f "$env:TEMP\i.md"
}
