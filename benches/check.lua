-- wrk script: POST one cached recovery check.
wrk.method = "POST"
wrk.body = '{"email": "alice@example.com"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("LAPSEGUARD_BENCH_TOKEN") or "")
