-- GET the URL's path, with BENCH_TOKEN as a bearer token when set.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
