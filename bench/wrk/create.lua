-- POST /api/v1/orders with the JSON body in BENCH_BODY, as BENCH_TOKEN (a resident).
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
