-- GET /api/v1/orders/{id}, cycling through the ids in BENCH_IDS (comma-separated), as BENCH_TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS"), "%d+") do
  ids[#ids + 1] = id
end
local i = 0

request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/orders/" .. ids[i])
end
