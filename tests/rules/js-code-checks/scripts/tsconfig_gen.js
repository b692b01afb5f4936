// Annotated samples (inert, never run): scripts in an object, but no package.json written.
const fs = require("fs");

const config = {
  scripts: {
    // ok: js-install-hook-written
    postinstall: "node setup.js",
  },
};
fs.writeFileSync("config.json", JSON.stringify(config));
