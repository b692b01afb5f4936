const { spawn } = require("child_process");

// ruleid: js-env-dump
const all = JSON.stringify(process.env);
// ruleid: js-env-dump
for (const [k, v] of Object.entries(process.env)) send(k, v);
// ruleid: js-env-dump
const copy = { ...process.env };
// ruleid: js-env-dump
for (const name in process.env) { collected.push(name); }

// ok: js-env-dump
spawn("git", ["status"], { env: { ...process.env, GIT_PAGER: "cat" } });
// ok: js-env-dump
const env = { ...process.env, NODE_ENV: "production" };
// ok: js-env-dump
const token = process.env.ACME_TOKEN;
