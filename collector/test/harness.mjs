// A fake browser page to run the built pinrelay.js in, with a controllable clock and network.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { webcrypto } from "node:crypto";

const here = dirname(fileURLToPath(import.meta.url));
export const BUILT = join(here, "..", "..", "src", "pinrelay", "collect", "static", "pinrelay.js");

export const settle = () => new Promise((resolve) => setImmediate(resolve));

// The snippet a website pastes: a stub that queues calls until pinrelay.js has loaded.
export function snippetStub(url, key) {
  const stub = { q: [], u: url, k: key };
  for (const m of ["page", "track", "identify", "consent", "reset"]) {
    stub[m] = (...args) => stub.q.push([m, args]);
  }
  return stub;
}

export function page({ config = {}, respond = () => ({ status: 200, body: { success: true } }), beacon = true, url = "https://shop.example/?epik=abc" } = {}) {
  const requests = [];
  const beacons = [];
  const cookieWrites = [];
  const timers = [];
  const listeners = {};
  const appended = [];
  const window = {
    location: new URL(url),
    navigator: {
      userAgent: "test-agent",
      sendBeacon: beacon ? (u, data) => (beacons.push({ url: u, body: JSON.parse(data) }), true) : undefined,
    },
    crypto: webcrypto,
    Uint8Array,
    URL,
    JSON,
    Date,
    Math,
    String,
    encodeURIComponent,
    setTimeout: (fn, ms) => (timers.push({ fn, ms }), timers.length),
    clearTimeout: (id) => { if (timers[id - 1]) timers[id - 1].fn = null; },
    addEventListener: (name, fn) => ((listeners[name] ||= []).push(fn)),
    fetch: async (u, init = {}) => {
      if (u.includes("/v1/config")) {
        requests.push({ url: u, init, config: true });
        return { status: 200, json: async () => config };
      }
      const body = JSON.parse(init.body);
      requests.push({ url: u, init, body });
      const answer = respond(body, requests.length);
      if (answer instanceof Error) throw answer;
      return { status: answer.status, json: async () => answer.body };
    },
  };
  const document = {
    referrer: "https://www.pinterest.com/",
    title: "Shop",
    currentScript: null,
    head: { appendChild: (el) => appended.push(el) },
    createElement: (tag) => ({ tag }),
  };
  Object.defineProperty(document, "cookie", {
    get: () => "",
    set: (value) => cookieWrites.push(value),
  });
  window.window = window;
  window.document = document;
  const context = vm.createContext(window);
  return {
    window,
    requests,
    beacons,
    cookieWrites,
    appended,
    batches: () => requests.filter((r) => !r.config),
    load(stub) {
      if (stub) window.pinrelay = stub;
      vm.runInContext(readFileSync(BUILT, "utf8"), context);
      return window.pinrelay;
    },
    // run due timers (the smallest delay first), as the browser would as time passes
    async tick() {
      await settle();
      const due = timers.filter((t) => t.fn);
      const ms = Math.min(...due.map((t) => t.ms));
      const fns = due.filter((t) => t.ms === ms).map((t) => { const fn = t.fn; t.fn = null; return fn; });
      fns.forEach((fn) => fn());
      await settle();
      await settle();
      return ms;
    },
    pendingDelays: () => timers.filter((t) => t.fn).map((t) => t.ms),
    emit(name) { (listeners[name] || []).forEach((fn) => fn({})); },
  };
}
