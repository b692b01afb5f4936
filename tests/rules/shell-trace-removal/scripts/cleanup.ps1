# Samples for shell-trace-removal (inert: never run).
# ruleid: shell-trace-removal
Clear-History
# ruleid: shell-trace-removal
Clear-EventLog -LogName Security
# ok: shell-trace-removal
Get-History | Select-Object -Last 5
