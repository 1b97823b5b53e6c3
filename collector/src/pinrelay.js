/*
 * pinrelay.js: the first-party browser collector of pinrelay.
 *
 * Why it is this small and this shape (docs/how-to/website.md):
 * - it writes no cookie: the collect server sets first-party, HttpOnly cookies (`_epik`, the
 *   device id), which Safari does not cap at 7 days the way it caps script-set cookies;
 * - calls made before it loads wait in the snippet's queue (`pinrelay.q`) and replay in order;
 * - every event gets a UUID `messageId`, which the server uses as Pinterest's `event_id`, so
 *   the Pinterest Tag (when enabled) fires with the same id and Pinterest counts one conversion;
 * - events are batched, sent with fetch keepalive, flushed with sendBeacon on pagehide, and
 *   retried with backoff while the page lives.
 */
(function (w, d) {
  var stub = w.pinrelay || {};
  if (stub.loaded) return;
  var BATCH = 20; // events per request: far below Segment's 500 KB limit and keepalive's 64 KB
  var MAX_QUEUE = 500; // while the server is unreachable, keep the newest events only
  var MAX_DELAY = 30000;
  var script = d.currentScript;
  var base = stub.u || (script ? new URL(script.src).origin : ""); // the collect server
  var key = stub.k;
  var queue = []; // events waiting to be sent, oldest first
  var config; // the source's public config (/v1/config), undefined until it has loaded
  var consent; // Segment's categoryPreferences, once the page called consent()
  var userId;
  var timer;
  var sending;
  var delay = 1000; // retry backoff, doubled on each failure
  var waiting; // a failed batch waits for its retry: new events do not cut the backoff short
  var tagLoaded;
  var fired = {}; // messageIds already sent to the Pinterest Tag
  var tagState; // of the Tag script pinrelay.js added: "pending", then "loaded" or "blocked"

  function uuid() {
    // RFC 4122 version 4 from getRandomValues (randomUUID needs a secure context)
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function event(type, fields) {
    var l = w.location;
    var m = {
      type: type,
      messageId: uuid(),
      timestamp: new Date().toISOString(),
      context: {
        page: { url: l.href, path: l.pathname, search: l.search, referrer: d.referrer, title: d.title },
        userAgent: w.navigator.userAgent,
        library: { name: "pinrelay.js", version: "__VERSION__" },
      },
    };
    for (var f in fields) m[f] = fields[f];
    if (userId && !m.userId) m.userId = userId;
    if (queue.push(m) > MAX_QUEUE) queue.shift();
    if (!waiting) schedule(0);
    return m.messageId;
  }

  // Whether events may leave the page: a source that requires consent waits for a grant.
  function released() {
    if (!config) return false;
    if (!config.consent_required) return true;
    for (var c in consent) if (consent[c] === true) return true;
    return false;
  }

  function allowed(categories) {
    if (consent) return categories.every(function (c) { return consent[c] === true; });
    return !config.consent_required || !categories.length;
  }

  // The Pinterest Tag twin of a server event, with the same event id (pinterest-capi.md §5.1).
  function tag(m) {
    var t = config.tag;
    if (!t) return;
    var name = m.type == "page" ? t.events.page : m.type == "track" && (t.events[m.event] || t.other);
    if (!name || !allowed(t.categories)) return;
    if (!w.pintrk) {
      var q = (w.pintrk = function () { q.queue.push([].slice.call(arguments)); });
      q.queue = [];
      q.version = "3.0";
      var s = d.createElement("script");
      s.async = true;
      s.src = "https://s.pinimg.com/ct/core.js";
      tagState = "pending";
      s.onload = function () { tagState = "loaded"; };
      s.onerror = function () { tagState = "blocked"; };
      d.head.appendChild(s);
    }
    if (!tagLoaded) {
      tagLoaded = true;
      t.ids.forEach(function (id) { w.pintrk("load", id); });
      w.pintrk("page");
    }
    var p = m.properties || {};
    w.pintrk("track", name, {
      event_id: m.messageId,
      value: p.revenue || p.total || p.value,
      currency: p.currency,
      order_id: p.order_id,
    });
  }

  // Could the Pinterest Tag report this event? "absent" (no Tag on the page), "loaded",
  // "blocked" (its script never arrived: an ad blocker, a failed load), or "pending" (still
  // loading). The server counts the conversions it delivered while the Tag was blocked.
  function tagStatus() {
    if (tagState) return tagState;
    if (!w.pintrk) return "absent";
    var p = w.performance;
    var loaded = p && p.getEntriesByType && p.getEntriesByType("resource").some(function (e) {
      return /pinimg\.com\/ct\/core\.js/.test(e.name) && e.responseEnd > 0;
    });
    return loaded ? "loaded" : d.readyState == "complete" ? "blocked" : "pending";
  }

  function take(n) {
    var batch = queue.splice(0, n);
    batch.forEach(function (m) {
      if (consent && !m.context.consent) m.context.consent = { categoryPreferences: consent };
      if (!fired[m.messageId]) tag(m); // once, even when the batch is retried
      fired[m.messageId] = 1;
      if (!m.context.pinterestTag) m.context.pinterestTag = tagStatus();
    });
    return batch;
  }

  function body(batch) {
    return JSON.stringify({ writeKey: key, sentAt: new Date().toISOString(), batch: batch });
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  }

  function flush() {
    waiting = false;
    if (sending || !queue.length || !released()) return;
    var batch = take(BATCH);
    sending = true;
    // text/plain keeps it a "simple" CORS request: no preflight, so it can also go on unload
    w.fetch(base + "/v1/batch", { method: "POST", body: body(batch), keepalive: true, credentials: "include" })
      .then(function (r) {
        if (r.status >= 500 || r.status == 429) throw r;
        delay = 1000; // 2xx, or a 4xx that no retry would fix: the batch is done
      })
      .catch(function () {
        queue = batch.concat(queue);
        delay = Math.min(delay * 2, MAX_DELAY);
        return 1;
      })
      .then(function (failed) {
        sending = false;
        waiting = failed;
        if (queue.length) schedule(failed ? delay : 0);
      });
  }

  // The page is going away: hand everything to the browser, which sends it after unload.
  function beacon() {
    while (queue.length && released()) {
      var data = body(take(BATCH));
      if (!(w.navigator.sendBeacon && w.navigator.sendBeacon(base + "/v1/batch", data))) {
        w.fetch(base + "/v1/batch", { method: "POST", body: data, keepalive: true, credentials: "include" });
      }
    }
  }

  var api = {
    loaded: true,
    page: function (name, properties) {
      return event("page", { name: name, properties: properties || {} });
    },
    track: function (name, properties) {
      return event("track", { event: name, properties: properties || {} });
    },
    identify: function (id, traits) {
      if (id && typeof id == "object") (traits = id), (id = 0);
      if (id) userId = String(id);
      return event("identify", { traits: traits || {} });
    },
    consent: function (preferences) {
      consent = consent || {};
      for (var c in preferences) consent[c] = preferences[c] === true;
      if (!waiting) schedule(0);
    },
    reset: function () {
      userId = undefined;
    },
  };

  w.pinrelay = api;
  w.addEventListener("pagehide", beacon);
  (stub.q || []).forEach(function (call) {
    api[call[0]].apply(api, call[1]);
  });
  w.fetch(base + "/v1/config?writeKey=" + encodeURIComponent(key), { credentials: "include" })
    .then(function (r) {
      return r.json();
    })
    .then(
      function (c) {
        config = c && c.success !== false ? c : {};
      },
      function () {
        config = {};
      }
    )
    .then(function () {
      schedule(0);
    });
})(window, document);
