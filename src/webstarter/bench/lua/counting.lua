-- webstarter bench: what every wrk run counts. wrk itself only counts responses >= 400 as
-- errors, so a redirect would pass for success; here every status is counted, per thread,
-- and done() prints one JSON line that webstarter reads (latencies in microseconds).
-- The Python side prepends `bench_path`, `bench_headers` and `bench_writes_until`.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

statuses = {}

local function count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_counts(counts)
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WEBSTARTER-BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"statuses": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, json_counts(counts)
  ))
end
