// Annotated samples (inert, never run): a plain script whose top level is its job (no entry point, no exports).
const res = await fetch("https://api.example.com/v1/status");
// ok: js-import-time-network
console.log(await fetch("https://api.example.com/v1/items"));
