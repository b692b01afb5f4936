// ruleid: js-env-read
const token = process.env.ACME_API_TOKEN;
// ruleid: js-env-read
const home = process.env["HOME"];
// ruleid: js-env-read
const { GITHUB_TOKEN, CI } = process.env;

// ok: js-env-read
const env = "process.env.SECRET";
// ok: js-env-read
const name = config.env.NAME;
