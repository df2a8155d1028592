"""The admin API over real sockets: the redacted config dump, the health
check switch behind /ready, the live log level, the runtime key/value
store, the modules and the listeners using them, POST-only mutating
endpoints (with and without a request body), and the default bind
address."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (IntegrationTestCase, RawClient, exchange, free_port, main, request_bytes,  # noqa: E402
                     wait_until)


def admin_config(listener_port: int, upstream_port: int, admin_port: int) -> str:
    # No admin address: it must default to 127.0.0.1.
    return f"""
admin:
  port: {admin_port}
listeners:
  - name: edge
    port: {listener_port}
    filters:
      - name: headers
        config:
          request:
            set:
              - {{ name: authorization, value: "Bearer hunter2" }}
              - {{ name: x-env, value: staging }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: keyed
            match: {{ prefix: /, headers: [{{ name: x-api-key, exact: sekrit-key }}] }}
            route: {{ cluster: backend }}
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
  - name: bare
    port: {free_port()}
    virtual_hosts:
      - domains: ["*"]
        routes: [{{ match: {{ prefix: / }}, route: {{ cluster: backend }} }}]
clusters:
  - name: backend
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {upstream_port} }}]
"""


class AdminTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upstream = self.start_upstream()
        self.port = free_port()
        self.admin_port = free_port()
        self.proxy = self.start_proxy(admin_config(self.port, self.upstream.port, self.admin_port), self.port)
        self.assertTrue(wait_until(lambda: self.admin("GET", "/ready").status == 200, 3.0))

    def admin(self, method: str, path: str, **options):
        return exchange(self.admin_port, method=method, path=path, **options)

    def test_config_dump_is_the_loaded_config_with_secrets_redacted(self):
        response = self.admin("GET", "/config_dump")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("content-type"), "application/json")
        dump = response.json()
        self.assertEqual([listener["name"] for listener in dump["listeners"]], ["edge", "bare"])
        added = dump["listeners"][0]["filters"][0]["config"]["request"]["set"]
        self.assertEqual(added, [{"name": "authorization", "value": "[redacted]"},
                                 {"name": "x-env", "value": "staging"}])
        matcher = dump["listeners"][0]["virtual_hosts"][0]["routes"][0]["match"]["headers"][0]
        self.assertEqual(matcher, {"name": "x-api-key", "exact": "[redacted]"})
        for secret in (b"hunter2", b"sekrit-key"):
            self.assertNotIn(secret, response.body)

    def test_healthcheck_fail_makes_ready_503_while_traffic_still_flows(self):
        self.assertEqual(self.admin("POST", "/healthcheck/fail").status, 200)
        ready = self.admin("GET", "/ready")
        self.assertEqual((ready.status, ready.body), (503, b"HEALTHCHECK_FAILED\n"))
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        self.assertEqual(self.admin("POST", "/healthcheck/ok").status, 200)
        ready = self.admin("GET", "/ready")
        self.assertEqual((ready.status, ready.body), (200, b"LIVE\n"))

    def test_the_log_level_changes_live(self):
        self.assertEqual(self.admin("GET", "/logging").body, b"level: debug\n")  # the harness's -l debug
        self.assertEqual(self.admin("POST", "/logging?level=error").body, b"level: error\n")
        self.assertEqual(self.admin("GET", "/logging").body, b"level: error\n")
        # At error, the info line of a health check change is not written...
        self.admin("POST", "/healthcheck/fail")
        self.assertEqual(self.admin("POST", "/logging?level=info").status, 200)
        # ...and at info it is.
        self.admin("POST", "/healthcheck/ok")
        log = self.proxy.read_log()
        self.assertNotIn("health check failed by the operator", log)
        self.assertIn("health check restored", log)
        bad = self.admin("POST", "/logging?level=loud")
        self.assertEqual(bad.status, 400)
        self.assertIn(b"unknown level 'loud'", bad.body)

    def test_runtime_keys_are_set_read_and_removed(self):
        self.assertEqual(self.admin("GET", "/runtime").json(), {})
        self.assertEqual(self.admin("POST", "/runtime_modify?fault.percent=25&greeting=hello%20there").status, 200)
        self.assertEqual(self.admin("GET", "/runtime").json(), {"fault.percent": "25", "greeting": "hello there"})
        self.assertEqual(self.admin("POST", "/runtime_modify?greeting=").status, 200)
        self.assertEqual(self.admin("GET", "/runtime").json(), {"fault.percent": "25"})
        self.assertEqual(self.admin("POST", "/runtime_modify").status, 400)

    def test_a_form_body_and_an_empty_body_are_read_before_the_answer(self):
        form = [("Content-Type", "application/x-www-form-urlencoded")]
        self.assertEqual(self.admin("POST", "/runtime_modify", headers=form, body=b"from_body=1").status, 200)
        self.assertEqual(self.admin("GET", "/runtime").json(), {"from_body": "1"})
        empty = self.admin("POST", "/healthcheck/fail", headers=[("Content-Length", "0")])
        self.assertEqual(empty.status, 200)
        # A body sent in two pieces is waited for.
        with RawClient(self.admin_port) as client:
            head = request_bytes("POST", "/runtime_modify", form + [("Content-Length", "11")])
            client.send(head + b"late=")
            client.send(b"value!")
            self.assertEqual(client.read_response().status, 200)
        self.assertEqual(self.admin("GET", "/runtime").json()["late"], "value!")
        chunked = self.admin("POST", "/healthcheck/ok", headers=[("Transfer-Encoding", "chunked")], body=b"0\r\n\r\n")
        self.assertEqual(chunked.status, 411)

    def test_mutating_endpoints_are_post_only_and_405_says_what_is_allowed(self):
        for path in ("/healthcheck/fail", "/healthcheck/ok", "/runtime_modify?a=1"):
            response = self.admin("GET", path)
            self.assertEqual(response.status, 405, path)
            self.assertEqual(response.header("allow"), "POST", path)
        self.assertEqual(self.admin("GET", "/ready").status, 200, "the GETs changed nothing")
        self.assertEqual(self.admin("GET", "/runtime").json(), {})
        self.assertEqual(self.admin("POST", "/ready").header("allow"), "GET, HEAD")
        self.assertEqual(self.admin("DELETE", "/logging").header("allow"), "GET, HEAD, POST")

    def test_modules_lists_the_listeners_using_each(self):
        modules = self.admin("GET", "/modules").json()
        headers = next(module for module in modules if module["name"] == "headers")
        self.assertEqual(headers["listeners"], ["edge"])

    def test_the_index_lists_every_endpoint(self):
        index = self.admin("GET", "/").body.decode()
        for endpoint in ("GET /ready", "POST /healthcheck/fail", "POST /healthcheck/ok", "GET /config_dump",
                         "GET /logging", "POST /logging", "GET /runtime", "POST /runtime_modify", "GET /modules",
                         "GET /stats", "GET /clusters"):
            self.assertIn(endpoint, index)

    def test_the_admin_listener_binds_127_0_0_1_by_default(self):
        self.assertEqual(self.admin("GET", "/ready").status, 200)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", self.admin_port), timeout=2).close()


if __name__ == "__main__":
    main()
