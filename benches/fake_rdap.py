#!/usr/bin/env python3
"""A fake RDAP server for load tests: every domain is old, active and far from expiry."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        body = json.dumps({
            "objectClassName": "domain",
            "ldhName": name.upper(),
            "status": ["client transfer prohibited"],
            "events": [
                {"eventAction": "registration", "eventDate": "2001-05-04T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": "2099-05-04T00:00:00Z"},
            ],
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
