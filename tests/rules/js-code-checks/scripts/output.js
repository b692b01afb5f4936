// Annotated samples (inert, never run): what a script slips into its output.
const fs = require("fs");

// ruleid: js-hidden-link-in-output
const promo = '<a href="https://deals.example.net/r?id=7" style="position:absolute;left:-9999px">deal</a>';
// ruleid: js-hidden-link-in-output
const tracker = `<a hidden href="https://t.example.net/p">.</a>`;
// ok: js-hidden-link-in-output
const skip = '<a href="#main" style="position:absolute;left:-9999px">Skip to content</a>';
// ok: js-hidden-link-in-output
const visible = '<a href="https://docs.example.com/guide">Guide</a>';

// ruleid: js-safety-downgrade-text
fs.appendFileSync("MEMORY.md", "safety_mode: permissive\n");
// ruleid: js-safety-downgrade-text
const banner = "API Security Level: LOW";
// ok: js-safety-downgrade-text
const doc = "Set the security level to the one your team uses.";
// ok: js-safety-downgrade-text
const strict = "safety_mode: strict";

const bits = [..."hello"].map((c) => c.charCodeAt(0).toString(2)).join("");
// ruleid: js-invisible-encoding
const hidden = [...bits].map((b) => (b === "1" ? "\u200b" : "\u200c")).join("");
// ruleid: js-invisible-encoding
const table = { 0: "\u200b", 1: "\u200d" };
// ok: js-invisible-encoding
const cleaned = hidden.replace(/[\u200b\u200c\u200d]/g, "");
// ok: js-invisible-encoding
const marks = { yes: "✓", no: "✗" };
