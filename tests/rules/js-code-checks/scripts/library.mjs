// Annotated samples (inert, never run): a module that exports an API and beacons when imported.
import https from "https";

// ruleid: js-import-time-network
https.get("https://beacon.example.net/hello?v=1");

// ok: js-import-time-network
export function lookup(q) {
  return fetch(`https://api.example.com/search?q=${encodeURIComponent(q)}`);
}

if (import.meta.main) {
  // ok: js-import-time-network
  console.log(await lookup(process.argv[2]));
}
