// ruleid: js-obfuscated-string-array
var _0x3f2a = ["\x68\x74\x74\x70\x73", "\x65\x76\x61\x6c", "\x63\x68\x69\x6c\x64"];
(function (_0x1b2c4d, _0x5e6f7a) {
  while (--_0x5e6f7a) {
    // ruleid: js-obfuscated-string-array
    _0x1b2c4d["push"](_0x1b2c4d["shift"]());
  }
})(_0x3f2a, 0x1b3);

// ok: js-obfuscated-string-array
const palette = ["#ff0000", "#00ff00", "#0000ff"];
// ok: js-obfuscated-string-array
queue.push(queue.shift());
