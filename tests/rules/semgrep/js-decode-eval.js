const { execSync } = require("child_process");
const blob = "Y29uc29sZS5sb2coImhlbGxvIik=";

// ruleid: js-decode-eval
eval(atob(blob));
const code = Buffer.from(blob, "base64").toString("utf8");
const wrapped = "(function(){" + code + "})()";
// ruleid: js-decode-eval
new Function(wrapped)();
const cmd = String.fromCharCode(108, 115, 32, 45, 108, 97);
// ruleid: js-decode-eval
execSync(cmd);

// ok: js-decode-eval
const image = Buffer.from(pngBase64, "base64");
// ok: js-decode-eval
fs.writeFileSync("logo.png", image);
// ok: js-decode-eval
eval(config.expression);
