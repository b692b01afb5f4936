const path = require("path");

// ruleid: js-dynamic-require
const mod = require(Buffer.from(name, "hex").toString());
// ruleid: js-dynamic-require
const plugin = await import(pluginUrl);
// ruleid: js-dynamic-require
const m = require(process.env.PLUGIN);

// ok: js-dynamic-require
const fs = require("fs");
// ok: js-dynamic-require
const local = require(path.join(__dirname, "lib", "util.js"));
// ok: js-dynamic-require
const lazy = await import("./lazy.js");
