// pinrelay management UI: small progressive enhancements. Every page works without this file.
"use strict";

(function () {
  function announce(el, text) { if (el) { el.textContent = text; } }

  // Copy buttons: <button data-copy="element-id">.
  function setupCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy"));
        if (!target) { return; }
        var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(target.value).then(done, function () { target.select(); });
        } else {
          target.select();
          done();
        }
      });
    });
  }

  // Inline validation of the Ad Account ID: digits only, and not the Tag ID.
  var TAG_HINT = "The Tag ID is not the Ad Account ID: use the numeric Ad Account ID from Ads Manager > Account settings.";
  function setupDigits() {
    document.querySelectorAll("input[data-digits]").forEach(function (input) {
      var live = document.getElementById(input.id + "-live");
      var tag = document.getElementById("tag_id");
      function check() {
        var value = input.value.trim();
        var message = "";
        if (value && !/^[0-9]+$/.test(value)) {
          message = "Digits only: the Ad Account ID is a number like 549764982399. " + TAG_HINT;
        } else if (value.length > 18) {
          message = "At most 18 digits.";
        } else if (tag && value && tag.value.trim() === value) {
          message = TAG_HINT;
        }
        input.setCustomValidity(message);
        input.setAttribute("aria-invalid", message ? "true" : "false");
        announce(live, message);
      }
      input.addEventListener("input", check);
      if (tag) { tag.addEventListener("input", check); }
    });
  }

  // The event debugger's live list: polls /events/feed for events newer than the newest shown.
  function cell(text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text;
    return td;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function when(seconds) {
    return new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }
  function eventRow(e) {
    var tr = document.createElement("tr");
    tr.className = "new";
    var seq = cell(""); seq.appendChild(link("/events/" + e.seq, String(e.seq)));
    var name = cell(""); name.appendChild(link("/events/" + e.seq, e.name || "(" + e.type + ")"));
    var outcomes = cell("");
    e.outcomes.forEach(function (o) {
      var span = document.createElement("span");
      span.className = "badge badge-" + o;
      span.textContent = o;
      outcomes.appendChild(span);
      outcomes.appendChild(document.createTextNode(" "));
    });
    [seq, cell(when(e.received_at)), cell(e.type), name, cell(e.user, "mono"), outcomes].forEach(function (td) { tr.appendChild(td); });
    return tr;
  }
  function setupLiveEvents() {
    var status = document.querySelector("[data-live-events]");
    var body = document.getElementById("events-body");
    if (!status || !body) { return; }
    var after = Number(status.getAttribute("data-after")) || 0;
    var params = ["source_id", "type", "name", "outcome", "user_id", "anonymous_id"];
    function poll() {
      var query = new URLSearchParams({ after: String(after) });
      params.forEach(function (p) {
        var v = status.getAttribute("data-" + p.replace(/_/g, "-"));
        if (v) { query.set(p, v); }
      });
      fetch("/events/feed?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          if (data.events.length) {
            var empty = document.getElementById("events-empty");
            if (empty) { empty.remove(); }
            data.events.forEach(function (e) {
              body.insertBefore(eventRow(e), body.firstChild);
              after = Math.max(after, e.seq);
            });
            announce(status, data.events.length + " new event(s) at " + new Date().toLocaleTimeString() + ".");
          }
        })
        .catch(function () { announce(status, "Live updates paused (signed out or offline); reload the page."); })
        .finally(function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 1000);
  }

  // Dashboard charts (uPlot), refreshed from /dashboard/data.
  var COLORS = { received: "#1a56db", queued: "#0f6b2f", filtered: "#b45309", unmatchable: "#9b1c1c", invalid: "#6b21a8", no_pipeline: "#4a5360", delivered: "#0e7490", dead: "#111827" };
  var SERIES = ["received", "queued", "filtered", "unmatchable", "invalid", "no_pipeline", "delivered", "dead"];
  function setupCharts() {
    var root = document.querySelector("[data-charts]");
    if (!root || typeof window.uPlot === "undefined") { return; }
    var charts = {};
    function draw(data) {
      data.integrations.forEach(function (item) {
        var card = root.querySelector('[data-integration="' + item.integration_id + '"]');
        if (!card) { return; }
        var rows = [data.buckets].concat(SERIES.map(function (s) { return item.series[s]; }));
        SERIES.forEach(function (s) {
          var td = card.querySelector('[data-total="' + s + '"]');
          if (td) { td.textContent = String(item.totals[s] || 0); }
        });
        var box = card.querySelector(".chart");
        if (charts[item.integration_id]) {
          charts[item.integration_id].setData(rows);
          return;
        }
        var opts = {
          width: Math.max(280, box.clientWidth), height: 220,
          series: [{}].concat(SERIES.map(function (s) {
            return { label: s.replace("_", " "), stroke: COLORS[s], width: 2, points: { show: false }, dash: s === "delivered" || s === "dead" ? [6, 4] : undefined };
          })),
          axes: [{}, { label: "events / minute" }],
        };
        charts[item.integration_id] = new window.uPlot(opts, rows, box);
      });
    }
    function refresh() {
      fetch(root.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(draw)
        .catch(function () { /* keep the last chart; the next refresh retries */ })
        .finally(function () { setTimeout(refresh, 3000); });
    }
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) {
        var box = charts[id].root.parentNode;
        charts[id].setSize({ width: Math.max(280, box.clientWidth), height: 220 });
      });
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCopy();
    setupDigits();
    setupLiveEvents();
    setupCharts();
    document.documentElement.setAttribute("data-ui-ready", "");  // tests wait for this
  });
})();
