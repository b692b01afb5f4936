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
setInterval("tick(" + n + ")", 1000);
// ruleid: js-dynamic-code
const s = new vm.Script(source);

// ok: js-dynamic-code
eval("1 + 1");
// ok: js-dynamic-code
setTimeout(() => doThing(), 100);
// ok: js-dynamic-code
const data = JSON.parse(text);
setTimeout(() => {
  // ok: js-dynamic-code
  toast.classList.remove("translate-x-full", "opacity-0");
}, 100);
