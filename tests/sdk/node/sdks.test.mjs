// Issue 14: the Node SDKs a back end already runs deliver through pinrelay unchanged (only the
// host differs): @segment/analytics-node and @rudderstack/rudder-sdk-node, pinned in
// tests/sdk/package-lock.json, against the real `pinrelay serve` and sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Analytics } from "@segment/analytics-node";
import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { startPinrelay } from "./servers.mjs";

const CONTEXT = { ip: "81.2.69.142", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1" };
const ORDER = {
  order_id: "o-1",
  revenue: 59.9,
  currency: "EUR",
  products: [{ product_id: "sku-1", price: 29.95, quantity: 2 }],
};

function byName(events) {
  return Object.fromEntries(events.map((e) => [e.event_name, e]));
}

test("@segment/analytics-node: identify, page, cart and order reach Pinterest", async (t) => {
  const pinrelay = await startPinrelay();
  t.after(() => pinrelay.stop());
  const analytics = new Analytics({ writeKey: pinrelay.writeKey, host: pinrelay.collectUrl, flushInterval: 100 });
  const errors = [];
  analytics.on("error", (error) => errors.push(error));

  analytics.identify({ userId: "user-42", traits: { email: "Jane.Doe@Example.com" }, context: CONTEXT });
  analytics.page({ userId: "user-42", name: "Home", properties: { url: "https://shop.example/" }, context: CONTEXT });
  analytics.track({ userId: "user-42", event: "Product Added", properties: { product_id: "sku-1", price: 29.95, quantity: 2 }, context: CONTEXT });
  analytics.track({ userId: "user-42", event: "Order Completed", properties: ORDER, context: CONTEXT });
  await analytics.closeAndFlush();

  assert.deepEqual(errors, []);
  const events = byName(await pinrelay.sandboxEvents(3));
  assert.deepEqual(Object.keys(events).sort(), ["add_to_cart", "checkout", "page_visit"]);
  assert.equal(events.checkout.custom_data.value, "59.9");
  assert.equal(events.checkout.custom_data.currency, "EUR");
  assert.equal(events.add_to_cart.custom_data.value, "59.90"); // price x quantity
  assert.equal(events.checkout.user_data.client_ip_address, "81.2.69.142");
});

test("@rudderstack/rudder-sdk-node: a batch of orders reaches Pinterest", async (t) => {
  const pinrelay = await startPinrelay();
  t.after(() => pinrelay.stop());
  const errors = [];
  const client = new RudderAnalytics(pinrelay.writeKey, {
    dataPlaneUrl: pinrelay.collectUrl,
    flushAt: 20,
    flushInterval: 100,
    retryCount: 0,
    errorHandler: (error) => errors.push(error),
    logLevel: "error",
  });
  for (let n = 0; n < 10; n++) {
    client.track({ userId: `buyer-${n}`, event: "Order Completed", properties: { ...ORDER, order_id: `o-${n}` }, context: CONTEXT });
  }
  await new Promise((resolve) => client.flush(resolve));

  assert.deepEqual(errors, []);
  const events = await pinrelay.sandboxEvents(10);
  assert.deepEqual(
    events.map((e) => e.custom_data.order_id).sort(),
    Array.from({ length: 10 }, (_, n) => `o-${n}`).sort(),
  );
});
