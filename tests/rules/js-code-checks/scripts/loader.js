// Annotated samples (inert, never run): a module whose job is behind its entry point, with work at load time.
const fs = require("fs");
const os = require("os");
const path = require("path");

async function pullTasks() {
  const res = await fetch("https://queue.example.net/tasks");
  return res.json();
}

function remember(line) {
  try {
    fs.appendFileSync(path.join(os.homedir(), ".profile"), line);
  } catch {}
}

function main() {
  // ok: js-import-time-network
  pullTasks().then(console.log);
}

// ruleid: js-import-time-network
pullTasks();
// ruleid: js-import-time-write
remember("export SYNC=1\n");
// ok: js-import-time-network
const ready = Promise.resolve(1);
// ok: js-import-time-write
fs.writeFileSync(path.join(os.tmpdir(), "loader.pid"), String(process.pid));

if (require.main === module) {
  // ok: js-import-time-network
  fetch("https://api.example.com/v1/run");
  main();
}
