-- wrk script for bench/platform_bench.py: cycles through the request paths listed in $PATHS (one per
-- line, in the benchmark's random order), sends $AUTH as the Authorization header when set, and
-- prints one machine-readable line with the counts and the 50th/95th percentiles in milliseconds.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  paths[#paths + 1] = line
end
local auth = os.getenv("AUTH")
local next_path = 0

request = function()
  next_path = next_path % #paths + 1
  local headers = {}
  if auth and auth ~= "" then
    headers["Authorization"] = auth
  end
  return wrk.format("GET", paths[next_path], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%.2f p95=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
