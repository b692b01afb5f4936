const path = require("path");
// ruleid: crypto-wallet-store
const ext = path.join(profile, "Local Extension Settings", "nkbihfbeogaeaoehlefnkodbefgpgknn");
// ok: crypto-wallet-store
const docs = "https://chromewebstore.google.com/detail/phantom/bfnaelmomeimhlpmgjnjophhpkkoljpa";
