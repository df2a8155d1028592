"""Access logs over real sockets: a text log with the default format and a
JSON log on one listener, lines for a success and for each way a request
fails (NR, UO, UT, URX, UC) carrying the right flags, JSON lines that parse
whatever the headers hold, reopening on SIGUSR1 after a rename, and bad
access_log config refused with the file and field. The proxy runs at log
level "error" throughout: access lines do not depend on the log level."""
import json
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (IntegrationTestCase, RawClient, exchange, free_port, main, read_text,  # noqa: E402
                     request_bytes, run_switchyard, wait_until)

JSON_FIELDS = {
    "start": "%START_TIME%", "method": "%REQ(:METHOD)%", "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "protocol": "%PROTOCOL%", "status": "%RESPONSE_CODE%", "flags": "%RESPONSE_FLAGS%",
    "details": "%RESPONSE_CODE_DETAILS%", "received": "%BYTES_RECEIVED%", "sent": "%BYTES_SENT%",
    "duration": "%DURATION%", "service_time": "%UPSTREAM_SERVICE_TIME%", "upstream": "%UPSTREAM_HOST%",
    "cluster": "%UPSTREAM_CLUSTER%", "route": "%ROUTE_NAME%", "id": "%REQUEST_ID%",
    "attempts": "%UPSTREAM_REQUEST_ATTEMPT_COUNT%", "client": "%DOWNSTREAM_REMOTE_ADDRESS%",
    "client_ip": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", "agent": "%REQ(USER-AGENT)%",
    "agent_short": "%REQ(USER-AGENT):5%", "content_type": "%RESP(CONTENT-TYPE)%",
}


def access_log_config(listener_port: int, upstream_port: int, workdir: str) -> str:
    return f"""
listeners:
  - name: edge
    port: {listener_port}
    access_log:
      - path: {workdir}/access.log
      - path: {workdir}/access.json
        json_format: {json.dumps(JSON_FIELDS)}
    filters:
      - name: timeout
        config: {{ request_timeout_ms: 15000 }}
      - name: retry
        config: {{ retry_on: [], num_retries: 0 }}
      - name: breaker
        config: {{ clusters: [{{ cluster: limited, max_requests: 1 }}] }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: retrying
            match: {{ prefix: /retry/ }}
            route: {{ cluster: backend, prefix_rewrite: / }}
            filter_overrides: {{ retry: {{ retry_on: [5xx], num_retries: 2 }} }}
          - name: slow
            match: {{ prefix: /slow/ }}
            route: {{ cluster: backend, prefix_rewrite: / }}
            filter_overrides: {{ timeout: {{ request_timeout_ms: 300 }} }}
          - name: limited
            match: {{ prefix: /limited/ }}
            route: {{ cluster: limited, prefix_rewrite: / }}
          - name: echo
            match: {{ prefix: /echo }}
            route: {{ cluster: backend }}
          - name: reset
            match: {{ path: /reset }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {upstream_port} }}]
  - name: limited
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {upstream_port} }}]
"""


class AccessLogTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upstream = self.start_upstream()
        self.port = free_port()
        self.text_log = os.path.join(self.workdir, "access.log")
        self.json_log = os.path.join(self.workdir, "access.json")
        self.proxy = self.start_proxy(access_log_config(self.port, self.upstream.port, self.workdir), self.port,
                                      concurrency=2, extra_args=["-l", "error"])

    def request(self, agent: str, path: str, **options):
        headers = [("User-Agent", agent)] + options.pop("headers", [])
        return exchange(self.port, path=path, headers=headers, **options)

    def json_entries(self) -> list[dict]:
        """Every JSON line written so far (each must parse)."""
        return [json.loads(line) for line in read_text(self.json_log).splitlines()]

    def entry(self, agent: str) -> dict:
        """The JSON line of the request sent with User-Agent `agent`."""
        found = []
        wait_until(lambda: found.extend(e for e in self.json_entries() if e["agent"] == agent) or found, 3.0)
        self.assertEqual(len(found), 1, f"one line for {agent}:\n{read_text(self.json_log)}")
        return found[0]

    def text_line(self, agent: str) -> str:
        lines = []
        wait_until(lambda: lines.extend(line for line in read_text(self.text_log).splitlines()
                                        if f'"{agent}"' in line) or lines, 3.0)
        self.assertEqual(len(lines), 1, f"one line for {agent}:\n{read_text(self.text_log)}")
        return lines[0]

    def test_a_success_has_every_field_and_the_default_text_line(self):
        response = self.request("t-success", "/echo?x=1", method="POST", body=b"hello")
        self.assertEqual(response.status, 200)
        entry = self.entry("t-success")
        upstream = f"127.0.0.1:{self.upstream.port}"
        self.assertRegex(entry["start"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual((entry["method"], entry["path"], entry["protocol"]), ("POST", "/echo?x=1", "HTTP/1.1"))
        self.assertEqual((entry["status"], entry["flags"], entry["details"]), (200, None, None))
        self.assertEqual((entry["received"], entry["sent"]), (5, len(response.body)))
        self.assertIsInstance(entry["duration"], int)
        self.assertIsInstance(entry["service_time"], int)
        self.assertLessEqual(entry["service_time"], entry["duration"])
        self.assertEqual((entry["upstream"], entry["cluster"], entry["route"], entry["attempts"]),
                         (upstream, "backend", "echo", 1))
        self.assertRegex(entry["client"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(entry["client_ip"], "127.0.0.1")
        self.assertEqual(entry["agent_short"], "t-suc")
        self.assertEqual(entry["content_type"], response.header("content-type"))
        self.assertTrue(entry["id"])
        line = self.text_line("t-success")
        self.assertRegex(line, r'^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "POST /echo\?x=1 HTTP/1.1" 200 - 5 '
                               + str(len(response.body)) + r' \d+ \d+ "-" "t-success" "' + re.escape(entry["id"])
                               + r'" "test.local" "' + re.escape(upstream) + '"$')

    def test_no_route_is_404_NR(self):
        self.assertEqual(self.request("t-nr", "/nothing").status, 404)
        entry = self.entry("t-nr")
        self.assertEqual((entry["status"], entry["flags"], entry["route"], entry["upstream"], entry["attempts"]),
                         (404, "NR", None, None, 0))
        self.assertEqual(entry["details"], "route_not_found")

    def test_an_overflowing_request_is_503_UO(self):
        with RawClient(self.port) as holder:
            holder.send(request_bytes("GET", "/limited/hang"))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_in_flight"] == 1, 3.0))
            self.assertEqual(self.request("t-uo", "/limited/echo").status, 503)
        entry = self.entry("t-uo")
        self.assertEqual((entry["status"], entry["flags"], entry["cluster"]), (503, "UO", "limited"))
        self.assertEqual(entry["details"], "upstream_overflow")

    def test_a_timeout_is_504_UT(self):
        self.assertEqual(self.request("t-ut", "/slow/delay/5000").status, 504)
        entry = self.entry("t-ut")
        self.assertEqual((entry["status"], entry["flags"], entry["route"]), (504, "UT", "slow"))
        self.assertIsNone(entry["service_time"])

    def test_retries_exhausted_is_503_URX_after_three_attempts(self):
        self.assertEqual(self.request("t-urx", "/retry/status/503").status, 503)
        entry = self.entry("t-urx")
        self.assertEqual((entry["status"], entry["flags"], entry["attempts"]), (503, "URX", 3))
        self.assertEqual(self.upstream.stats()["requests_by_path"]["/status/503"], 3)

    def test_an_upstream_reset_is_502_UC(self):
        self.assertEqual(self.request("t-reset", "/reset").status, 502)
        entry = self.entry("t-reset")
        self.assertEqual((entry["status"], entry["flags"]), (502, "UC"))

    def test_json_lines_parse_whatever_the_headers_hold(self):
        awkward = 'q"uote \\ back\ttab caf\xe9'  # sent as latin-1: \xe9 is not UTF-8
        self.assertEqual(exchange(self.port, path="/echo", headers=[("User-Agent", awkward)]).status, 200)
        self.assertEqual(self.request("t-plain", "/echo").status, 200)
        self.entry("t-plain")
        entries = self.json_entries()  # every line parses
        agents = [entry["agent"] for entry in entries]
        self.assertIn('q"uote \\ back\ttab caf\ufffd', agents)

    def test_sigusr1_reopens_the_file_after_a_rename(self):
        self.assertEqual(self.request("t-before", "/echo").status, 200)
        self.text_line("t-before")
        os.rename(self.text_log, self.text_log + ".1")
        self.proxy.signal(signal.SIGUSR1)
        self.assertTrue(wait_until(lambda: os.path.exists(self.text_log), 3.0), "SIGUSR1 made no new file")
        self.assertEqual(self.request("t-after", "/echo").status, 200)
        self.text_line("t-after")
        rotated = read_text(self.text_log + ".1")
        self.assertIn('"t-before"', rotated)
        self.assertNotIn('"t-after"', rotated)
        self.assertNotIn('"t-before"', read_text(self.text_log))

    def test_a_drain_writes_the_lines_of_the_requests_it_finished(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/limited/delay/500", [("User-Agent", "t-drain")]))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_in_flight"] == 1, 3.0))
            self.proxy.signal(signal.SIGTERM)
            self.assertEqual(client.read_response().status, 200)
        self.assertEqual(self.proxy.wait(timeout=10), 0)
        self.assertEqual([entry["status"] for entry in self.json_entries() if entry["agent"] == "t-drain"], [200])

    def test_lines_are_written_at_log_level_error_and_not_to_the_proxy_log(self):
        self.assertEqual(self.request("t-level", "/echo").status, 200)
        self.entry("t-level")
        self.assertNotIn("t-level", self.proxy.read_log())


class AccessLogConfigTest(IntegrationTestCase):
    def check(self, access_log_yaml: str) -> str:
        config = f"""
listeners:
  - name: edge
    port: {free_port()}
    access_log:
{access_log_yaml}
    virtual_hosts:
      - domains: ["*"]
        routes: [{{ match: {{ prefix: / }}, route: {{ cluster: backend }} }}]
clusters:
  - name: backend
    endpoints: [{{ address: 127.0.0.1, port: 9 }}]
"""
        path = self.write_file("bad.yaml", config)
        result = run_switchyard(["-c", path, "--check"])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        return result.stderr

    def test_an_unknown_operator_is_refused_naming_the_file_and_field(self):
        errors = self.check("      - { path: /dev/stdout, format: '%RESPONSE_CODE% %BOGUS%' }")
        self.assertIn("bad.yaml: listeners[0].access_log[0].format: unknown operator %BOGUS% at offset 16", errors)

    def test_a_path_that_cannot_be_opened_is_refused_naming_the_file_and_field(self):
        errors = self.check(f"      - {{ path: {self.workdir}/no/such/dir/access.log }}")
        self.assertIn("bad.yaml: listeners[0].access_log[0].path: cannot open", errors)
        self.assertIn("No such file or directory", errors)


if __name__ == "__main__":
    main()
