// The real `pinrelay sandbox` and `pinrelay serve` as child processes on loopback ports, for
// the Node SDK tests (the same CLI a user runs; .venv is made by scripts/setup).
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const PINRELAY = join(ROOT, ".venv", "bin", "pinrelay");
export const ADMIN_TOKEN = "node-sdk-admin-token-0123456789";
const AD_ACCOUNT = "549764982399";
const CONVERSION_TOKEN = "pina_sandbox_token"; // what the sandbox accepts by default

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitUntilUp(url, child, log) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up: ${readFileSync(log, "utf8")}`);
}

function start(args, env, dir, name) {
  const log = join(dir, `${name}.log`);
  const out = openSync(log, "w"); // a file, not a pipe: a full pipe would block the server
  const child = spawn(PINRELAY, args, { env: { ...process.env, ...env }, cwd: dir, stdio: ["ignore", out, out] });
  return { child, log };
}

/** A sandbox and a gateway delivering to it, with a source and a Pinterest integration. */
export async function startPinrelay() {
  const dir = mkdtempSync(join(tmpdir(), "pinrelay-node-"));
  const [sandboxPort, port, adminPort] = [await freePort(), await freePort(), await freePort()];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = start(["sandbox", "--port", String(sandboxPort)], {}, dir, "sandbox");
  await waitUntilUp(`${sandboxUrl}/healthz`, sandbox.child, sandbox.log);
  const gateway = start(
    ["serve", "--host", "127.0.0.1", "--port", String(port), "--admin-port", String(adminPort),
     "--db", `sqlite:///${join(dir, "pinrelay.db")}`],
    {
      PINRELAY_ADMIN_TOKEN: ADMIN_TOKEN,
      PINRELAY_PINTEREST_API_URL: `${sandboxUrl}/v5`,
      PINRELAY_SECRET_KEY_FILE: join(dir, "pinrelay.key"),
      PINRELAY_DELIVERY_POLL_SECONDS: "0.05",
    },
    dir,
    "serve",
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const collectUrl = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${adminUrl}/healthz`, gateway.child, gateway.log);
  await waitUntilUp(`${collectUrl}/healthz`, gateway.child, gateway.log);

  const admin = async (method, path, body) => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const source = await admin("POST", "/v1/admin/sources", { name: "Node backend" });
  await admin("POST", "/v1/admin/integrations", {
    source_id: source.id,
    vendor: "pinterest_ads",
    name: "Pinterest",
    enabled: true,
    config: { ad_account_id: AD_ACCOUNT, conversion_token: CONVERSION_TOKEN },
    consent_categories: [],
  });

  return {
    collectUrl,
    writeKey: source.write_key,
    /** What "Pinterest" received, once there are at least `count` events (or 30 s passed). */
    async sandboxEvents(count) {
      const deadline = Date.now() + 30000;
      let events = [];
      while (Date.now() < deadline) {
        events = await (await fetch(`${sandboxUrl}/_sandbox/events`)).json();
        if (events.length >= count) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return events.map((item) => item.event);
    },
    stop() {
      for (const child of [gateway.child, sandbox.child]) child.kill("SIGTERM");
    },
  };
}
