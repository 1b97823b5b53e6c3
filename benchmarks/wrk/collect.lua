-- wrk script for benchmarks/ingest.py: realistic, unique collect requests.
--
-- Configured by environment variables (wrk decides whether `delay` exists before it calls
-- `init`, so the rate must be known when the file is loaded):
--   BENCH_SCENARIO  track | batch | page
--   BENCH_RATE      requests/s per wrk thread to hold (0: as fast as the server answers)
--   BENCH_RUN       a tag unique to this run, so message ids never repeat across runs
--   BENCH_BATCH     events per /v1/batch request (default 20)
--
-- Every event is a new user with a new messageId; a checkout carries a product, an email, the
-- visitor's IP and user agent and an epik click id, as a shop's server would send it.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local scenario = os.getenv("BENCH_SCENARIO") or "track"
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local run = os.getenv("BENCH_RUN") or "run"
local batch_size = tonumber(os.getenv("BENCH_BATCH") or "20") or 20

local threads = {}
local thread_tag = "t"
local counter = 0
lagged = 0 -- slots that were already past by over 1 ms (read by `done`)

local AGENTS = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_tag", "t" .. #threads)
end

function init(args)
  thread_tag = _G.thread_tag or thread_tag
  local seed = os.time()
  for i = 1, #run do seed = (seed * 31 + run:byte(i)) % 2147483647 end
  math.randomseed(seed + (tonumber(thread_tag:sub(2)) or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local stamp_second, stamp_text = -1, ""
local function timestamp()
  local second = os.time()
  if second ~= stamp_second then
    stamp_second, stamp_text = second, os.date("!%Y-%m-%dT%H:%M:%SZ", second)
  end
  return stamp_text
end

local function checkout(id, when)
  local n = counter % 997
  return table.concat({
    '{"type":"track","event":"Order Completed","userId":"user-', id,
    '","messageId":"msg-', id, '","timestamp":"', when,
    '","context":{"ip":"203.0.', n % 250, '.', n % 200 + 1,
    '","userAgent":"', AGENTS[n % 3 + 1],
    '","page":{"url":"https://shop.example/checkout?epik=dj0yJnU9', id,
    '","referrer":"https://www.pinterest.com/"},"library":{"name":"analytics-python","version":"2.3.3"}}',
    ',"properties":{"order_id":"order-', id, '","revenue":', 20 + n % 80, '.5,"currency":"USD"',
    ',"email":"Buyer.', id, '@Example.com"',
    ',"products":[{"product_id":"sku-', n, '","name":"Linen shirt","category":"Shirts"',
    ',"price":', 20 + n % 80, '.5,"quantity":1}]}}',
  })
end

local function page_view(id, when)
  local n = counter % 997
  return table.concat({
    '{"type":"page","name":"Product","anonymousId":"anon-', id,
    '","messageId":"msg-', id, '","timestamp":"', when,
    '","context":{"ip":"198.51.', n % 250, '.', n % 200 + 1,
    '","userAgent":"', AGENTS[n % 3 + 1],
    '","page":{"url":"https://shop.example/products/sku-', n, '?epik=dj0yJnU9', id,
    '","path":"/products/sku-', n, '","title":"Linen shirt"}}',
    ',"properties":{"url":"https://shop.example/products/sku-', n, '?epik=dj0yJnU9', id,
    '","path":"/products/sku-', n, '"}}',
  })
end

-- Ids start with 62 random bits, as the UUIDs SDKs send do: in the order of a counter they
-- would land next to each other in the message-id and identity indexes, which is cheaper
-- than what real traffic costs (docs/performance.md, session 10). The rest keeps them unique.
local function next_id()
  counter = counter + 1
  return string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
    .. "-" .. run .. "-" .. thread_tag .. "-" .. counter
end

function request()
  local when = timestamp()
  if scenario == "batch" then
    local events = {}
    for i = 1, batch_size do
      events[i] = checkout(next_id(), when)
    end
    local body = '{"batch":[' .. table.concat(events, ",") .. '],"sentAt":"' .. when .. '"}'
    return wrk.format("POST", "/v1/batch", nil, body)
  elseif scenario == "page" then
    return wrk.format("POST", "/v1/page", nil, page_view(next_id(), when))
  end
  return wrk.format("POST", "/v1/track", nil, checkout(next_id(), when))
end

if rate > 0 then
  -- Constant rate: each answer's connection waits for the thread's next slot, so requests
  -- leave at `rate` per second whatever the latency (as long as the server keeps up; a slot
  -- already past by over 1 ms is counted in `lagged`, and the report shows it).
  local interval = 1000 / rate
  local next_at = nil
  function delay()
    local now = now_ms()
    next_at = (next_at or now) + interval
    local wait = next_at - now
    if wait < -1 then
      lagged = lagged + 1
    end
    if wait < 0 then
      return 0
    end
    return wait
  end
end

function done(summary, latency, requests)
  local late = 0
  for _, thread in ipairs(threads) do
    late = late + (thread:get("lagged") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bad_status":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d,"lagged":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, late))
end
