const vm = require("vm");

// ruleid: js-dynamic-code
eval(payload);
// ruleid: js-dynamic-code
const f = new Function("a", "b", body);
// ruleid: js-dynamic-code
vm.runInNewContext(code, sandbox);
// ruleid: js-dynamic-code
setTimeout("doThing()", 100);
// ruleid: js-dynamic-code
const s = new vm.Script(source);

// ok: js-dynamic-code
eval("1 + 1");
// ok: js-dynamic-code
setTimeout(() => doThing(), 100);
// ok: js-dynamic-code
const data = JSON.parse(text);
