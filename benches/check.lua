-- wrk script: POST one cached recovery check.
wrk.method = "POST"
wrk.body = '{"email": "alice@example.com"}'
wrk.headers["Content-Type"] = "application/json"
