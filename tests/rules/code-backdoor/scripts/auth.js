// Annotated samples: fixed values that pass a password check, and ordinary comparisons.
const MASTER = "letmein-2024";

function login(user, password) {
  // ruleid: js-hardcoded-password-bypass
  if (password === MASTER || password.endsWith("#sup0rt")) return true;
  return check(user, password);
}

function check(user, password) {
  // ok: js-hardcoded-password-bypass
  if (password === process.env.APP_PASSWORD) return true;
  // ok: js-hardcoded-password-bypass
  if (user === "admin-2024") {
    return true;
  }
  // ok: js-hardcoded-password-bypass
  if (password === "password") {
    throw new Error("choose a stronger password");
  }
  return false;
}

module.exports = { login, check };
