// pinrelay.js specified from the outside: what a page sees it send, in a fake browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { BUILT, page, snippetStub } from "./harness.mjs";

const plain = (x) => JSON.parse(JSON.stringify(x)); // values made in the page's realm
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("calls queued by the snippet before load are replayed in order, in one batch", async () => {
  const p = page();
  const stub = snippetStub("https://t.shop.example", "wk_1");
  stub.page();
  stub.track("Product Added", { product_id: "sku-1" });
  p.load(stub);
  await p.tick();
  const [request] = p.batches();
  assert.equal(request.url, "https://t.shop.example/v1/batch");
  assert.equal(request.body.writeKey, "wk_1");
  assert.deepEqual(request.body.batch.map((m) => m.type), ["page", "track"]);
  assert.equal(request.body.batch[1].event, "Product Added");
  assert.equal(request.body.batch[0].context.page.url, "https://shop.example/?epik=abc");
});

test("every event gets its own UUID v4 messageId, returned to the caller", async () => {
  const p = page();
  const api = p.load(snippetStub("", "wk"));
  const ids = [api.page(), api.track("A"), api.identify("user-1", { email: "a@b.c" })];
  await p.tick();
  const sent = p.batches()[0].body.batch.map((m) => m.messageId);
  assert.deepEqual(sent, ids);
  ids.forEach((id) => assert.match(id, UUID));
  assert.equal(new Set(ids).size, 3);
});

test("identify remembers the user id for the next events", async () => {
  const p = page();
  const api = p.load(snippetStub("", "wk"));
  api.identify("user-7", { email: "jane@example.com" });
  api.track("Order Completed", { revenue: 10 });
  await p.tick();
  const [identify, order] = p.batches()[0].body.batch;
  assert.equal(identify.userId, "user-7");
  assert.equal(identify.traits.email, "jane@example.com");
  assert.equal(order.userId, "user-7");
  api.reset();
  api.track("After reset");
  await p.tick();
  assert.equal(p.batches()[1].body.batch[0].userId, undefined);
});

test("sends with fetch keepalive and credentials, as a simple (text/plain) request", async () => {
  const p = page();
  p.load(snippetStub("", "wk")).page();
  await p.tick();
  const { init } = p.batches()[0];
  assert.equal(init.keepalive, true);
  assert.equal(init.credentials, "include");
  assert.equal(init.headers, undefined, "a custom header would force a CORS preflight");
  assert.equal(typeof init.body, "string");
});

test("a failed send is retried with a growing delay, the same messageIds", async () => {
  let calls = 0;
  const p = page({ respond: () => (++calls < 3 ? { status: 503, body: {} } : { status: 200, body: {} }) });
  const id = p.load(snippetStub("", "wk")).track("Signed Up");
  await p.tick();
  assert.deepEqual(p.pendingDelays(), [2000]);
  await p.tick();
  assert.deepEqual(p.pendingDelays(), [4000]);
  await p.tick();
  const bodies = p.batches().map((r) => r.body.batch[0].messageId);
  assert.deepEqual(bodies, [id, id, id]);
  assert.deepEqual(p.pendingDelays(), []);
});

test("new events during a backoff wait for the retry instead of cutting it short", async () => {
  let calls = 0;
  const p = page({ respond: () => (++calls === 1 ? { status: 503, body: {} } : { status: 200, body: {} }) });
  const api = p.load(snippetStub("", "wk"));
  const first = api.track("A");
  await p.tick();
  const second = api.track("B");
  assert.deepEqual(p.pendingDelays(), [2000]);
  await p.tick();
  assert.deepEqual(p.batches()[1].body.batch.map((m) => m.messageId), [first, second]);
});

test("while the server is unreachable only the newest 500 events are kept", async () => {
  const p = page({ respond: () => new Error("offline") });
  const api = p.load(snippetStub("", "wk"));
  await p.tick();
  const ids = [];
  for (let i = 0; i < 510; i++) ids.push(api.track("E" + i));
  p.emit("pagehide");
  const sent = p.beacons.flatMap((b) => b.body.batch.map((m) => m.messageId));
  assert.equal(sent.length, 500);
  assert.deepEqual(sent.slice(-3), ids.slice(-3));
});

test("a network error is retried too; a 400 is not", async () => {
  let n = 0;
  const p = page({ respond: () => (++n === 1 ? new Error("offline") : { status: 400, body: {} }) });
  p.load(snippetStub("", "wk")).page();
  await p.tick();
  await p.tick();
  assert.equal(p.batches().length, 2);
  assert.deepEqual(p.pendingDelays(), []);
});

test("pagehide hands what is left to sendBeacon", async () => {
  const p = page();
  const api = p.load(snippetStub("https://t.example", "wk"));
  await p.tick(); // config loaded
  const id = api.track("Lead");
  p.emit("pagehide");
  assert.equal(p.beacons.length, 1);
  assert.equal(p.beacons[0].url, "https://t.example/v1/batch");
  assert.equal(p.beacons[0].body.batch[0].messageId, id);
});

test("without sendBeacon, pagehide falls back to fetch keepalive", async () => {
  const p = page({ beacon: false });
  const api = p.load(snippetStub("", "wk"));
  await p.tick();
  api.track("Lead");
  p.emit("pagehide");
  await p.tick();
  assert.equal(p.batches().length, 1);
  assert.equal(p.batches()[0].init.keepalive, true);
});

test("a source that requires consent sends nothing until a category is granted", async () => {
  const p = page({ config: { consent_required: true } });
  const api = p.load(snippetStub("", "wk"));
  api.page();
  await p.tick();
  p.emit("pagehide");
  assert.equal(p.batches().length, 0);
  assert.equal(p.beacons.length, 0);
  api.consent({ advertising: false });
  await p.tick();
  assert.equal(p.batches().length, 0, "nothing granted yet");
  api.consent({ analytics: true });
  await p.tick();
  const [m] = p.batches()[0].body.batch;
  assert.deepEqual(plain(m.context.consent.categoryPreferences), { advertising: false, analytics: true });
});

test("without a consent requirement, events flow and carry consent once given", async () => {
  const p = page();
  const api = p.load(snippetStub("", "wk"));
  api.page();
  await p.tick();
  assert.equal(p.batches()[0].body.batch[0].context.consent, undefined);
  api.consent({ advertising: true });
  api.track("Lead");
  await p.tick();
  assert.deepEqual(p.batches()[1].body.batch[0].context.consent.categoryPreferences, { advertising: true });
});

const TAG = { ids: ["2612345678901"], events: { page: "pagevisit", "Order Completed": "checkout" }, other: "custom", categories: ["advertising"] };

test("with the Tag on, each mapped event fires pintrk with the same event id", async () => {
  const p = page({ config: { tag: TAG } });
  const calls = [];
  p.window.pintrk = (...args) => calls.push(args);
  const api = p.load(snippetStub("", "wk"));
  api.consent({ advertising: true });
  const pageId = api.page();
  const orderId = api.track("Order Completed", { revenue: 99, currency: "USD", order_id: "o-1" });
  await p.tick();
  assert.deepEqual(plain(calls), [
    ["load", "2612345678901"],
    ["page"],
    ["track", "pagevisit", { event_id: pageId }],
    ["track", "checkout", { event_id: orderId, value: 99, currency: "USD", order_id: "o-1" }],
  ]);
  assert.equal(p.appended.length, 0, "a pintrk already on the page is used as it is");
});

test("the Tag is not fired without its consent categories, nor twice on a retry", async () => {
  let n = 0;
  const p = page({ config: { tag: TAG }, respond: () => (++n === 1 ? { status: 503, body: {} } : { status: 200, body: {} }) });
  const calls = [];
  p.window.pintrk = (...args) => calls.push(args);
  const api = p.load(snippetStub("", "wk"));
  api.consent({ advertising: false });
  api.track("Order Completed");
  await p.tick();
  assert.equal(calls.length, 0);
  api.consent({ advertising: true });
  api.track("Newsletter");
  await p.tick();
  await p.tick();
  assert.deepEqual(calls.map((c) => c[1]), ["2612345678901", undefined, "custom"]);
});

test("without a pintrk on the page, the Tag script is loaded from Pinterest", async () => {
  const p = page({ config: { tag: TAG } });
  const api = p.load(snippetStub("", "wk"));
  api.consent({ advertising: true });
  api.page();
  await p.tick();
  assert.equal(p.appended[0].src, "https://s.pinimg.com/ct/core.js");
  assert.deepEqual(plain(p.window.pintrk.queue[0]), ["load", "2612345678901"]);
});

test("each event says whether the Pinterest Tag could report it (recovered conversions)", async () => {
  const p = page({ config: { tag: TAG } });
  const api = p.load(snippetStub("", "wk"));
  api.consent({ advertising: true });
  api.page(); // no Tag on the page yet: pinrelay.js adds Pinterest's script
  await p.tick();
  p.appended[0].onerror(); // an ad blocker stops it
  api.track("Order Completed", { order_id: "o-1" });
  await p.tick();
  await p.tick();
  const states = p.batches().flatMap((r) => r.body.batch.map((m) => m.context.pinterestTag));
  assert.deepEqual(states, ["pending", "blocked"]);

  const plainPage = page();
  const plainApi = plainPage.load(snippetStub("", "wk"));
  plainApi.page();
  await plainPage.tick();
  assert.equal(plainPage.batches()[0].body.batch[0].context.pinterestTag, "absent");
});

test("pinrelay.js never writes a cookie: the server sets them", async () => {
  const p = page({ config: { tag: TAG } });
  const api = p.load(snippetStub("", "wk"));
  api.consent({ advertising: true });
  api.page();
  api.identify("u", { email: "x@y.z" });
  await p.tick();
  p.emit("pagehide");
  assert.deepEqual(p.cookieWrites, []);
  assert.doesNotMatch(readFileSync(BUILT, "utf8"), /cookie/i);
});

test("the built file stays within 2 KB gzipped", () => {
  const size = gzipSync(readFileSync(BUILT), { level: 9 }).length;
  assert.ok(size <= 2048, `pinrelay.js is ${size} bytes gzipped`);
});
