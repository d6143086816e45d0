"""A fake RDAP server for the client smoke tests and the adapters' tests: every domain is
registered and active, except that a name that starts with `for-sale-` is on a marketplace's
nameservers and one that starts with `lapsed-` is in redemption. Prints its port on the first line of stdout, then serves until killed."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Registry(BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1].lower()
        if not self.path.startswith("/domain/") or not name:
            self.send_error(404)
            return
        nameservers = ["ns1.dan.com"] if name.startswith("for-sale-") else ["ns1.example.net"]
        body = json.dumps({
            "objectClassName": "domain",
            "ldhName": name,
            "nameservers": [{"objectClassName": "nameserver", "ldhName": ns} for ns in nameservers],
            "status": ["redemption period"] if name.startswith("lapsed-") else ["active"],
            "events": [
                {"eventAction": "registration", "eventDate": "2015-03-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": "2035-03-01T00:00:00Z"},
            ],
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
print(server.server_address[1], flush=True)
server.serve_forever()
