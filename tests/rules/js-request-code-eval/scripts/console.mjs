// A local browser console: the request handler evaluates the code a request carries.
import http from "http";
import vm from "vm";

function readBody(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
  });
}

const handler = async (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  const { code, expr } = JSON.parse(await readBody(req));
  if (req.url === "/run") {
    // ruleid: js-request-code-eval
    const fn = new Function("page", `return (async () => { ${code} })();`);
    await fn(null);
  }
  if (req.url === "/expr") {
    // ruleid: js-request-code-eval
    res.end(String(eval(expr)));
    return;
  }
  if (req.url === "/vm") {
    // ruleid: js-request-code-eval
    res.end(String(vm.runInNewContext(code, {})));
    return;
  }
  // ok: js-request-code-eval
  const fixed = new Function("a", "b", "return a + b;");
  res.end(String(fixed(1, 2)));
};

http.createServer(handler).listen(9222);

// Not in a handler: code the package itself ships, evaluated at start-up.
const bootstrap = "return 1";
// ok: js-request-code-eval
new Function(bootstrap)();
