# Inert PowerShell samples (never run): a command taken out of processed data and run, and near misses.
# ruleid: shell-runs-data-command
iex (Get-Content $args[0] -Raw | ConvertFrom-Json).workflow_command
# ruleid: shell-runs-data-command
Invoke-Expression ((Import-Csv $StepsPath)[0].command)
# ruleid: shell-runs-data-command
iex (Get-Content -Path $TicketFile | ConvertFrom-Json).fix
# ok: shell-runs-data-command
Write-Host (Get-Content $args[0] -Raw | ConvertFrom-Json).title
# ok: shell-runs-data-command
iex "Get-Date"
# The package's own configuration (a path the script writes down): not data someone else wrote.
# ok: shell-runs-data-command
iex (Get-Content "$PSScriptRoot\config.json" -Raw | ConvertFrom-Json).setup
# ok: shell-runs-data-command
Invoke-Expression ((Import-Csv .\steps.csv)[0].command)
$Settings = "$PSScriptRoot\settings.json"
# ok: shell-runs-data-command
iex (Get-Content $Settings -Raw | ConvertFrom-Json).setup
$Ticket = $args[0]
# ruleid: shell-runs-data-command
iex (Get-Content $Ticket -Raw | ConvertFrom-Json).fix
