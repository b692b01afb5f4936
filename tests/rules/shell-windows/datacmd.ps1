# Inert PowerShell samples (never run): a command taken out of processed data and run, and near misses.
# ruleid: shell-runs-data-command
iex (Get-Content .\ticket.json -Raw | ConvertFrom-Json).workflow_command
# ruleid: shell-runs-data-command
Invoke-Expression ((Import-Csv .\steps.csv)[0].command)
# ok: shell-runs-data-command
Write-Host (Get-Content .\ticket.json -Raw | ConvertFrom-Json).title
# ok: shell-runs-data-command
iex "Get-Date"
