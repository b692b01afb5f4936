const fs = require("fs");
const os = require("os");
const path = require("path");
const home = os.homedir();

// ruleid: js-secret-store-read
const key = fs.readFileSync(path.join(os.homedir(), ".ssh", "id_rsa"), "utf8");
const targets = [".aws/credentials", ".config/gcloud/credentials.db"];
for (const t of targets) {
  // ruleid: js-secret-store-read
  fs.readFile(path.join(home, t), (err, data) => collect(t, data));
}
const chrome = `${home}/Library/Application Support/Google/Chrome/Default/Login Data`;
// ruleid: js-secret-store-read
fs.copyFileSync(path.join(home, "Library", "Application Support", "Google", "Chrome", "Default", "Login Data"), "/tmp/ld");
// ruleid: js-secret-store-read
await fs.promises.readdir(path.join(home, ".ssh"));

// ok: js-secret-store-read
const config = fs.readFileSync(path.join(home, ".config", "acme", "token"), "utf8");
// ok: js-secret-store-read
const readme = fs.readFileSync(path.join(__dirname, "README.md"), "utf8");
// ok: js-secret-store-read
fs.writeFileSync(path.join(home, ".ssh", "known_hosts.bak"), data);
