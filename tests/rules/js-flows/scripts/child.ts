// A child process's environment is not a network send.
import { spawn } from "child_process";

const extra: Record<string, string> = { FOO: "1" };
// ok: js-secret-exfiltration-flow
spawn("node", ["worker.js"], { env: { ...process.env, ...extra } as NodeJS.ProcessEnv });
// ok: js-credential-flow
spawn("git", ["push"], { env: { GITHUB_TOKEN: process.env.GITHUB_TOKEN as string } });
const base = "https://api.openai.com/v1";
// ruleid: js-credential-flow
await fetch(`${base}/models`, { headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY!}` } });
