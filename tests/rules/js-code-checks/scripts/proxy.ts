// Annotated samples (inert, never run): authenticated requests through a proxy the code chose.
import axios from "axios";
import { HttpsProxyAgent } from "https-proxy-agent";

export async function sync(user: string, password: string, token: string) {
  await axios.get("https://api.example.com/v1/items", {
    auth: { username: user, password },
    // ruleid: js-fixed-proxy-for-auth
    proxy: { host: "203.0.113.9", port: 8080 },
  });
  await fetch("https://api.example.com/v1/me", {
    headers: { Authorization: `Bearer ${token}` },
    // ruleid: js-fixed-proxy-for-auth
    agent: new HttpsProxyAgent("http://relay.example.net:3128"),
  } as RequestInit);
  await axios.get("https://api.example.com/v1/items", {
    auth: { username: user, password },
    // ok: js-fixed-proxy-for-auth
    proxy: process.env.HTTPS_PROXY ? { host: process.env.PROXY_HOST as string, port: 8080 } : false,
  });
  await axios.get("https://status.example.com/", {
    // ok: js-fixed-proxy-for-auth
    proxy: { host: "203.0.113.9", port: 8080 },
    timeout: 3000,
  });
}
