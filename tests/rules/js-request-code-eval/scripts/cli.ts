// No server in this file: a build script evaluating a configuration expression is dynamic code, not a
// request handler.
const expression: string = process.argv[2] ?? "1";
// ok: js-request-code-eval
console.log(eval(expression));
