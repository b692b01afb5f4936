// Cryptocurrency-miner indicators (REFERENCE.md 3.5 G, top-25 #4). A skill package never needs to
// mine; the ROME incident shows an agent with tools diverting GPUs to mining on its own.

rule miner_stratum_url {
  meta:
    id = "miner-stratum-url"
    title = "Mining-pool stratum URL"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "compute.mine"
    extra_capability = "net.egress[{host}]"
    prose = "hard"
    what = "Reports a `stratum+tcp://`, `stratum+ssl://`, `stratum+tls://` or `stratum2+tcp://` URL: the protocol miners use to fetch work from a mining pool. The pool's host joins the inferred egress (`net.egress[pool.example]`)."
    why = "Stratum URLs have one use: pointing a miner at a pool. A skill that carries one turns the user's CPU or GPU into someone else's revenue (ClawHub classes it `malicious.crypto_mining`; the ROME agent mined on provisioned GPUs)."
    example = "```bash\n./xmrig -o stratum+tcp://pool.example:3333 -u WALLET\n```"
    remediation = "Remove the miner and the pool configuration. Mining is never an acceptable side effect of a skill."
    reference = "https://arxiv.org/abs/2512.24873"
    reference = "https://github.com/openclaw/clawhub/blob/main/convex/lib/moderationEngine.ts"
    reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
  strings:
    $s1 = "stratum+tcp://" nocase
    $s2 = "stratum+ssl://" nocase
    $s3 = "stratum+tls://" nocase
    $s4 = "stratum2+tcp://" nocase
    $s5 = "stratum1+tcp://" nocase
  condition:
    any of them
}

rule miner_config {
  meta:
    id = "miner-config"
    title = "Cryptocurrency miner configuration"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "compute.mine"
    prose = "hard"
    what = "Reports an XMRig-style configuration (`\"donate-level\"` together with `\"pools\"`) or an xmr-stak pool file (`\"pool_list\"` with `\"wallet_address\"`)."
    why = "These keys belong to miner configuration files. Shipping one in a skill means a miner will be started with it."
    example = "```json\n{\"donate-level\": 1, \"pools\": [{\"url\": \"pool.example:443\", \"user\": \"WALLET\"}]}\n```"
    remediation = "Remove the miner configuration and the binary that reads it."
    reference = "https://xmrig.com/docs/miner/config"
    reference = "https://github.com/fireice-uk/xmr-stak"
  strings:
    $d = "\"donate-level\"" nocase
    $p = "\"pools\"" nocase
    $pl = "\"pool_list\"" nocase
    $wa = "\"wallet_address\"" nocase
  condition:
    ($d and $p) or ($pl and $wa)
}

rule miner_cli {
  meta:
    id = "miner-cli"
    title = "Cryptocurrency miner started with pool arguments"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "compute.mine"
    extra_capability = "proc.daemon"
    prose = "hard"
    what = "Reports a known miner program (xmrig, xmr-stak, cpuminer/minerd, ccminer, NBMiner, T-Rex, lolMiner, GMiner, TeamRedMiner, PhoenixMiner, ethminer, nanominer, SRBMiner, BzMiner) followed on the same line by pool, wallet or algorithm options, or XMRig's `--donate-level` option."
    why = "A miner started with a pool and a wallet mines for whoever owns the wallet. The program names and options are the public command lines of these miners."
    example = "```bash\nnohup ./xmrig -o pool.example:3333 -u 44AFFq5k... --donate-level 1 &\n```"
    remediation = "Remove the miner. If the package benchmarks hardware, say so in its description and never connect to a pool."
    reference = "https://xmrig.com/docs/miner/command-line-options"
    reference = "https://arxiv.org/abs/2512.24873"
  strings:
    $cli = /(xmrig|xmr-stak|cpuminer|minerd|ccminer|nbminer|t-rex|lolminer|gminer|teamredminer|phoenixminer|ethminer|nanominer|srbminer-multi|bzminer|lolMiner|SRBMiner-MULTI|PhoenixMiner|TeamRedMiner|NBMiner|T-Rex)(\.exe)?["']?\s[^\n]{0,200}(-o\s|--url[= ]|--pool[= ]|-u\s|--user[= ]|--algo[= ]|--coin[= ]|--wallet[= ])/
    $donate = /--donate-level[= ]{1,3}[0-9]/ nocase
  condition:
    any of them
}

rule miner_pool_endpoint {
  meta:
    id = "miner-pool-endpoint"
    title = "Mining-pool host"
    class = "capability"
    severity = "medium"
    confidence = "medium"
    capability = "compute.mine"
    extra_capability = "net.egress[{host}]"
    prose = "low"
    what = "Reports the host name of a public mining pool (supportxmr, MoneroOcean, nanopool, 2Miners, F2Pool, HashVault, HeroMiners, C3Pool, unMineable, NiceHash, MineXMR, Ethermine, ViaBTC, AntPool)."
    why = "A pool host in code usually means mining. A pool's statistics API is also used by legitimate dashboards, so on its own this is evidence of mining capability, not proof; with a wallet or stratum URL it is reported as malicious by the other miner rules. In Markdown it is reported with low confidence (IOC lists, articles). The pool's full host name (`pool.supportxmr.com`) joins the inferred egress."
    example = "```python\nrequests.get(\"https://api.moneroocean.stream/miner/\" + wallet)\n```"
    remediation = "If the package only reads pool statistics, declare it in the description; otherwise remove the pool configuration."
    reference = "https://github.com/openclaw/clawhub/blob/main/convex/lib/moderationEngine.ts"
    reference = "https://arxiv.org/abs/2512.24873"
  strings:
    $p1 = "supportxmr.com" nocase
    $p2 = "moneroocean.stream" nocase
    $p3 = "nanopool.org" nocase
    $p4 = "2miners.com" nocase
    $p5 = "f2pool.com" nocase
    $p6 = "hashvault.pro" nocase
    $p7 = "herominers.com" nocase
    $p8 = "c3pool.com" nocase
    $p9 = "unmineable.com" nocase
    $p10 = "nicehash.com" nocase
    $p11 = "minexmr.com" nocase
    $p12 = "ethermine.org" nocase
    $p13 = "viabtc.com" nocase
    $p14 = "antpool.com" nocase
  condition:
    any of them
}

rule miner_wallet_pool_pair {
  meta:
    id = "miner-wallet-pool-pair"
    title = "Wallet address handed to a miner or pool"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "compute.mine"
    prose = "hard"
    anchor = "$w"
    window = 100000
    what = "Reports a Monero, Ethereum or Bitcoin (bech32) address given as a miner's user/wallet option (`-u`, `--user`, `--wallet`, `\"user\":`, `\"wallet_address\":`) in a file that also names a mining pool, a stratum URL or a miner."
    why = "Pool login = wallet address is how mining revenue is paid out; the pair is the operational part of a cryptojacking payload."
    example = "```bash\nxmrig -o pool.supportxmr.com:443 -u 4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge\n```"
    remediation = "Remove the miner, the pool and the wallet address."
    reference = "https://xmrig.com/docs/miner/command-line-options"
    reference = "https://www.getmonero.org/resources/moneropedia/address.html"
  strings:
    $w = /(-u|--user|--wallet|"user"|"wallet_address"|"wallet")[=:" ]{1,4}(4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58})/
    $m1 = "xmrig" nocase
    $m2 = "--algo" nocase
  condition:
    $w and (any of ($m*) or miner_stratum_url or miner_pool_endpoint or miner_cli or miner_config)
}

rule miner_browser_script {
  meta:
    id = "miner-browser-script"
    title = "In-browser miner started on a page"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "compute.mine"
    prose = "hard"
    anchor = "$c3"
    what = "Reports the start of a JavaScript cryptocurrency miner in a web page: the CoinHive-style API (`new CoinHive.Anonymous(key)`, `CRLT.Anonymous`, `new Client.Anonymous(key, {throttle: …})` of its clones) or the script of a known web-mining service (coinhive, authedmine, cryptoloot, coinimp, webminepool)."
    why = "A page that starts such a miner spends every visitor's CPU for the site key's owner. A skill that injects one into the pages it generates turns the user's site into a cryptojacking host (MITRE T1496), whatever the snippet is called (analytics, statistics)."
    example = "```html\n<script>var m = new Client.Anonymous('3f1c…', {throttle: 0.2}); m.start();</script>\n```"
    remediation = "Remove the miner script; a page needs no mining code."
    reference = "https://attack.mitre.org/techniques/T1496/"
  strings:
    $c1 = /CoinHive\.(Anonymous|User|Token)\s*\(/
    $c2 = /CRLT\.(Anonymous|User)\s*\(/
    $c3 = /\bClient\.(Anonymous|User)\s*\(/
    $t = /throttle['"]?\s*:/
    $s1 = "coinhive.min.js" nocase
    $s2 = "authedmine.com" nocase
    $s3 = "coin-hive.com" nocase
    $s4 = "cryptoloot.pro" nocase
    $s5 = "coinimp.com" nocase
    $s6 = "webminepool.com" nocase
  condition:
    $c1 or $c2 or ($c3 and $t) or any of ($s*)
}
