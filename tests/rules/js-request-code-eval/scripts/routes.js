// An express app: one route evaluates the request body, the others do not.
const express = require("express");
const app = express();
app.use(express.json());

app.post("/eval", (req, res) => {
  // ruleid: js-request-code-eval
  res.json({ result: eval(req.body.source) });
});

app.get("/sum", (req, res) => {
  const a = Number(req.query.a);
  const b = Number(req.query.b);
  // ok: js-request-code-eval
  res.json({ result: a + b, note: eval("1 + 1") });
});

app.post("/parse", (req, res) => {
  // ok: js-request-code-eval
  res.json(JSON.parse(req.body.text));
});

app.listen(3000, "127.0.0.1");
