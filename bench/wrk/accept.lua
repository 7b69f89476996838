-- POST /api/v1/orders/{id}/accept, each id once: every wrk thread takes its own share of BENCH_IDS.
-- When a thread runs out of ids it repeats its last one (those answers are 409 and are counted apart).
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS"), "%d+") do
  ids[#ids + 1] = id
end
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  local count = tonumber(os.getenv("BENCH_THREADS") or "1")
  local share = math.floor(#ids / count)
  first = index * share + 1
  last = first + share - 1
  next_id = first
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  local id = ids[math.min(next_id, last)]
  next_id = next_id + 1
  return wrk.format("POST", "/api/v1/orders/" .. id .. "/accept", nil, "{}")
end
