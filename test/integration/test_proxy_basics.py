"""The real switchyard between a raw-socket client and the real test
upstream: forwarding, the headers a proxy adds and removes, keep-alive and
pipelining, bodiless responses, 100-continue, connection close rules,
routing, local error statuses and the admin endpoints."""
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (CURRENT_ABI, MODULE_DIR, IntegrationTestCase, RawClient, echo_header_names, echo_header_values,  # noqa: E402
                     exchange, free_port, main, request_bytes)

# Small, so that 414 and 431 are cheap to provoke; everything else fits.
MAX_REQUEST_HEADERS_BYTES = 4096


class ProxyBasicsTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.alpha = self.start_upstream("alpha")
        self.beta = self.start_upstream("beta")
        self.port = free_port()
        self.admin_port = free_port()
        # Each route of the catch-all and the suffix vhosts rewrites the path
        # to a marker, so the upstream's echo shows which one matched.
        config = f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {self.port}
    limits: {{ max_request_headers_bytes: {MAX_REQUEST_HEADERS_BYTES} }}
    filters:
      - name: headers
        config:
          response:
            add: [{{ name: x-via-filter, value: "%LISTENER%" }}]
    virtual_hosts:
      - name: exact
        domains: ["api.example.com"]
        routes:
          - {{ name: exact-host, match: {{ prefix: / }}, route: {{ cluster: alpha, prefix_rewrite: /vhost-exact/ }} }}
      - name: suffix
        domains: ["*.example.com"]
        routes:
          - {{ name: suffix-host, match: {{ prefix: / }}, route: {{ cluster: alpha, prefix_rewrite: /vhost-suffix/ }} }}
      - name: longer-suffix
        domains: ["*.deep.example.com"]
        routes:
          - {{ name: longer, match: {{ prefix: / }}, route: {{ cluster: alpha, prefix_rewrite: /vhost-longer/ }} }}
      - name: strict
        domains: ["strict.test"]
        routes:
          - name: exact-path
            match: {{ path: /exact }}
            route: {{ cluster: alpha, prefix_rewrite: /matched-exact }}
          - name: prefix-path
            match: {{ prefix: /pre }}
            route: {{ cluster: alpha, prefix_rewrite: /matched-prefix }}
          - name: blue-variant
            match: {{ prefix: /variant, headers: [{{ name: x-variant, exact: blue }}] }}
            route: {{ cluster: beta }}
          - name: any-variant
            match: {{ prefix: /variant }}
            route: {{ cluster: alpha }}
          - name: rewrite
            match: {{ prefix: /rewrite/ }}
            route: {{ cluster: alpha, prefix_rewrite: /new/, host_rewrite: backend.internal }}
          - name: dead
            match: {{ prefix: /dead }}
            route: {{ cluster: dead }}
      - name: everything-else
        domains: ["*"]
        routes:
          - {{ name: default, match: {{ prefix: / }}, route: {{ cluster: alpha }} }}
clusters:
  - name: alpha
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {self.alpha.port} }}]
  - name: beta
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {self.beta.port} }}]
  - name: dead
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {free_port()} }}]
admin:
  address: 127.0.0.1
  port: {self.admin_port}
"""
        self.proxy = self.start_proxy(config, self.port)

    # -- helpers -------------------------------------------------------------

    def echo(self, path="/echo", host="test.local", method="GET", headers=None, body=b""):
        response = exchange(self.port, method, path, headers, body, host)
        self.assertEqual(response.status, 200, response.raw_head)
        return response.json()

    # -- forwarding ----------------------------------------------------------

    def test_get_is_forwarded_with_method_path_and_query(self):
        response = exchange(self.port, "GET", "/echo/some/where?x=1&y=%20z")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-upstream-name"), "alpha")
        self.assertEqual(response.header("x-via-filter"), "edge")
        echo = response.json()
        self.assertEqual(echo["method"], "GET")
        self.assertEqual(echo["path"], "/echo/some/where?x=1&y=%20z")
        self.assertEqual(echo["body_length"], 0)
        self.assertEqual(echo_header_values(echo, "host"), ["test.local"])

    def test_post_body_reaches_upstream_intact(self):
        body = os.urandom(100_000)
        echo = self.echo("/echo/post", method="POST", body=body, headers=[("Content-Type", "application/x-test")])
        self.assertEqual(echo["method"], "POST")
        self.assertEqual(echo["path"], "/echo/post")
        self.assertEqual(echo["body_length"], len(body))
        self.assertEqual(echo["body_sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual(echo_header_values(echo, "content-type"), ["application/x-test"])
        self.assertEqual(echo_header_values(echo, "content-length"), [str(len(body))])

    def test_x_forwarded_for_and_proto_are_set(self):
        echo = self.echo()
        self.assertEqual(echo_header_values(echo, "x-forwarded-for"), ["127.0.0.1"])
        self.assertEqual(echo_header_values(echo, "x-forwarded-proto"), ["http"])

    def test_x_forwarded_for_is_appended_to_and_proto_overwritten(self):
        echo = self.echo(headers=[("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")])
        self.assertEqual(echo_header_values(echo, "x-forwarded-for"), ["203.0.113.7, 127.0.0.1"])
        self.assertEqual(echo_header_values(echo, "x-forwarded-proto"), ["http"])

    def test_hop_by_hop_headers_are_not_forwarded(self):
        echo = self.echo(headers=[
            ("Connection", "keep-alive, X-Private-Hop"),
            ("X-Private-Hop", "secret"),
            ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"),
            ("Upgrade", "h2c"),
            ("Proxy-Connection", "keep-alive"),
            ("X-End-To-End", "kept"),
        ])
        names = echo_header_names(echo)
        for hop in ("connection", "x-private-hop", "keep-alive", "te", "upgrade", "proxy-connection"):
            self.assertNotIn(hop, names, f"{hop} reached the upstream: {echo['headers']}")
        self.assertEqual(echo_header_values(echo, "x-end-to-end"), ["kept"])

    def test_hop_by_hop_headers_of_the_response_are_not_forwarded(self):
        # The upstream answers /close with "Connection: close"; that is about
        # the upstream connection, and the client's connection stays open.
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/close"))
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertNotIn("close", response.connection_tokens)
            client.send(request_bytes("GET", "/echo"))
            self.assertEqual(client.read_response().status, 200)

    # -- connection reuse ------------------------------------------------------

    def test_keep_alive_reuses_client_and_upstream_connections(self):
        self.alpha.reset_stats()
        with RawClient(self.port) as client:
            numbers = []
            for i in range(20):
                client.send(request_bytes("GET", f"/echo/same-connection/{i}"))
                response = client.read_response()
                self.assertEqual(response.status, 200)
                self.assertNotIn("close", response.connection_tokens)
                numbers.append(response.json()["request_number_on_connection"])
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 20)),
                         "the upstream connection was not reused between keep-alive requests")
        for i in range(20):
            self.assertEqual(exchange(self.port, "GET", f"/echo/new-connection/{i}").status, 200)
        stats = self.alpha.stats()
        self.assertEqual(stats["requests"], 40)
        self.assertLess(stats["connections_accepted"], stats["requests"])
        self.assertLessEqual(stats["connections_accepted"], 2,
                             "sequential requests should share one pooled upstream connection")

    def test_stale_pooled_connection_is_replaced_for_idempotent_requests(self):
        # The upstream answers, keeps the connection, then drops it without a
        # word when the next request arrives on it: a keep-alive timeout
        # racing with reuse. A GET goes again on a fresh connection.
        self.alpha.reset_stats()
        self.assertEqual(exchange(self.port, "GET", "/echo/stale/1?close_next=1").status, 200)
        # Only a connection idle for a second or more is treated as at risk.
        time.sleep(1.1)
        response = exchange(self.port, "GET", "/echo/stale/2")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json()["request_number_on_connection"], 1)
        self.assertEqual(self.alpha.stats()["connections_accepted"], 2)
        # A POST may have reached the service: it is not sent twice.
        self.assertEqual(exchange(self.port, "GET", "/echo/stale/3?close_next=1").status, 200)
        time.sleep(1.1)
        self.assertEqual(exchange(self.port, "POST", "/echo/stale/4", body=b"once").status, 502)

    def test_pipelined_requests_are_answered_in_order(self):
        with RawClient(self.port) as client:
            client.send(b"".join(request_bytes("GET", f"/echo/pipelined/{i}") for i in range(3)))
            paths = []
            for _ in range(3):
                response = client.read_response()
                self.assertEqual(response.status, 200)
                paths.append(response.json()["path"])
            self.assertEqual(paths, ["/echo/pipelined/0", "/echo/pipelined/1", "/echo/pipelined/2"])
            self.assertStillOpen(client)

    def test_pipelined_requests_with_bodies_keep_their_framing(self):
        bodies = [b"first", b"", os.urandom(70_000)]
        data = b"".join(request_bytes("POST", f"/echo/{i}", [("Content-Length", str(len(body)))], body)
                        for i, body in enumerate(bodies))
        with RawClient(self.port) as client:
            client.send(data)
            for i, body in enumerate(bodies):
                echo = client.read_response().json()
                self.assertEqual(echo["path"], f"/echo/{i}")
                self.assertEqual(echo["body_sha256"], hashlib.sha256(body).hexdigest())

    # -- bodiless responses --------------------------------------------------

    def test_head_gets_headers_without_body(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("HEAD", "/bytes/1000"))
            response = client.read_response(head_request=True)
            self.assertEqual(response.status, 200)
            self.assertEqual(response.header("content-length"), "1000")
            # A body would show up as garbage in front of the next response.
            client.send(request_bytes("GET", "/echo/after-head"))
            after = client.read_response()
            self.assertEqual(after.status, 200)
            self.assertEqual(after.json()["path"], "/echo/after-head")
            self.assertEqual(after.json()["method"], "GET")

    def test_head_of_a_chunked_resource_gets_no_body(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("HEAD", "/bytes/5000?chunked=1"))
            response = client.read_response(head_request=True)
            self.assertEqual(response.status, 200)
            client.send(request_bytes("GET", "/echo/after-head"))
            self.assertEqual(client.read_response().json()["path"], "/echo/after-head")

    def test_204_and_304_have_no_body(self):
        with RawClient(self.port) as client:
            for status in (204, 304):
                client.send(request_bytes("GET", f"/status/{status}"))
                response = client.read_response()
                self.assertEqual(response.status, status)
                self.assertFalse(response.has_header("transfer-encoding"), response.raw_head)
                self.assertNotIn("close", response.connection_tokens)
            client.send(request_bytes("GET", "/echo/after-bodiless"))
            after = client.read_response()
            self.assertEqual(after.status, 200)
            self.assertEqual(after.json()["path"], "/echo/after-bodiless")

    # -- expect and close rules ----------------------------------------------

    def test_expect_100_continue_gets_interim_response_before_final(self):
        body = b"x" * 5000
        with RawClient(self.port) as client:
            client.send(request_bytes("POST", "/echo/expect",
                                      [("Content-Length", str(len(body))), ("Expect", "100-continue")]))
            interim = client.read_response()
            self.assertEqual(interim.raw_head, b"HTTP/1.1 100 Continue\r\n\r\n")
            client.send(body)
            final = client.read_response()
            self.assertEqual(final.status, 200)
            self.assertEqual(final.json()["body_sha256"], hashlib.sha256(body).hexdigest())
            # Exactly one interim response: the upstream's own 100 (if it was
            # asked) must not be relayed as a second one.
            client.send(request_bytes("GET", "/echo/next"))
            self.assertEqual(client.read_response().status, 200)

    def test_connection_close_from_client_closes_after_response(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo", [("Connection", "close")]))
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertIn("close", response.connection_tokens)
            self.assertClosedByPeer(client)

    def test_http_1_0_request_is_served_and_closed(self):
        with RawClient(self.port) as client:
            client.send(b"GET /echo/old HTTP/1.0\r\n\r\n")
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertEqual(response.json()["path"], "/echo/old")
            self.assertClosedByPeer(client)

    def test_http_1_0_gets_a_chunked_upstream_body_unchunked_and_closed(self):
        with RawClient(self.port) as client:
            client.send(b"GET /bytes/200000?chunked=1 HTTP/1.0\r\nHost: test.local\r\n\r\n")
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertFalse(response.has_header("transfer-encoding"), "HTTP/1.0 cannot take chunked")
            self.assertEqual(len(response.body), 200000)
            self.assertEqual(hashlib.sha256(response.body).hexdigest(), response.header("x-body-sha256"))
            self.assertTrue(client.eof or client.closed_by_peer())

    # -- routing ---------------------------------------------------------------

    def test_virtual_host_exact_beats_suffix_beats_wildcard(self):
        cases = [
            ("api.example.com", "/vhost-exact/x"),
            ("API.Example.COM", "/vhost-exact/x"),
            ("api.example.com:8080", "/vhost-exact/x"),
            ("www.example.com", "/vhost-suffix/x"),
            ("a.b.example.com", "/vhost-suffix/x"),
            ("x.deep.example.com", "/vhost-longer/x"),
            ("example.com", "/x"),
            ("other.test", "/x"),
        ]
        for host, expected_path in cases:
            with self.subTest(host=host):
                self.assertEqual(self.echo("/x", host=host)["path"], expected_path)

    def test_exact_path_and_prefix_routes(self):
        self.assertEqual(self.echo("/exact", host="strict.test")["path"], "/matched-exact")
        self.assertEqual(self.echo("/exact?q=1", host="strict.test")["path"], "/matched-exact?q=1")
        # A prefix is a string prefix, not a path segment (as in Envoy).
        self.assertEqual(self.echo("/prefix/deeper", host="strict.test")["path"], "/matched-prefixfix/deeper")
        self.assertEqual(self.echo("/pre", host="strict.test")["path"], "/matched-prefix")
        # /exact/more is not the exact path and no prefix route covers it.
        self.assertEqual(exchange(self.port, "GET", "/exact/more", host="strict.test").status, 404)

    def test_header_match_selects_route(self):
        blue = exchange(self.port, "GET", "/variant", [("x-variant", "blue")], host="strict.test")
        self.assertEqual(blue.header("x-upstream-name"), "beta")
        red = exchange(self.port, "GET", "/variant", [("x-variant", "red")], host="strict.test")
        self.assertEqual(red.header("x-upstream-name"), "alpha")
        none = exchange(self.port, "GET", "/variant", host="strict.test")
        self.assertEqual(none.header("x-upstream-name"), "alpha")

    def test_prefix_rewrite_and_host_rewrite_are_seen_upstream(self):
        echo = self.echo("/rewrite/a/b?c=d", host="strict.test")
        self.assertEqual(echo["path"], "/new/a/b?c=d")
        self.assertEqual(echo_header_values(echo, "host"), ["backend.internal"])

    def test_no_matching_route_is_404_and_reaches_no_upstream(self):
        self.alpha.reset_stats()
        self.beta.reset_stats()
        response = exchange(self.port, "GET", "/nowhere", host="strict.test")
        self.assertEqual(response.status, 404)
        self.assertFalse(response.has_header("x-upstream-name"))
        self.assertEqual(self.alpha.stats()["requests"], 0)
        self.assertEqual(self.beta.stats()["requests"], 0)

    def test_404_for_a_complete_request_keeps_the_connection(self):
        # The request had no body and was fully read, so nothing forces a
        # close: the next request on the connection is served.
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/nowhere", host="strict.test"))
            response = client.read_response()
            self.assertEqual(response.status, 404)
            self.assertNotIn("close", response.connection_tokens, response.raw_head)
            client.send(request_bytes("GET", "/exact", host="strict.test"))
            self.assertEqual(client.read_response().status, 200)

    def test_endpoint_refusing_connections_is_503(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/dead", host="strict.test"))
            response = client.read_response()
            self.assertEqual(response.status, 503)
            client.send(request_bytes("GET", "/exact", host="strict.test"))
            self.assertEqual(client.read_response().status, 200)

    # -- size limits -----------------------------------------------------------

    def test_url_over_the_header_limit_is_414_and_closed(self):
        self.alpha.reset_stats()
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo/" + "u" * (MAX_REQUEST_HEADERS_BYTES + 100)))
            response = client.read_response()
            self.assertEqual(response.status, 414)
            self.assertClosedByPeer(client)
        self.assertEqual(self.alpha.stats()["requests"], 0)

    def test_headers_over_the_limit_are_431_and_closed(self):
        self.alpha.reset_stats()
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo", [("X-Big", "h" * (MAX_REQUEST_HEADERS_BYTES + 100))]))
            response = client.read_response()
            self.assertEqual(response.status, 431)
            self.assertClosedByPeer(client)
        with RawClient(self.port) as client:
            many = [(f"X-Many-{i}", "v" * 40) for i in range(MAX_REQUEST_HEADERS_BYTES // 40)]
            client.send(request_bytes("GET", "/echo", many))
            self.assertEqual(client.read_response().status, 431)
            self.assertClosedByPeer(client)
        self.assertEqual(self.alpha.stats()["requests"], 0)

    def test_headers_just_under_the_limit_are_accepted(self):
        echo = self.echo(headers=[("X-Big", "h" * (MAX_REQUEST_HEADERS_BYTES // 2))])
        self.assertEqual(len(echo_header_values(echo, "x-big")[0]), MAX_REQUEST_HEADERS_BYTES // 2)

    # -- admin -------------------------------------------------------------------

    def test_admin_ready_is_200_live(self):
        response = exchange(self.admin_port, "GET", "/ready")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body.strip(), b"LIVE")

    def test_admin_root_lists_every_endpoint_from_the_table(self):
        response = exchange(self.admin_port, "GET", "/")
        self.assertEqual(response.status, 200)
        lines = response.body.decode().splitlines()
        endpoints = {line.split()[1] for line in lines}
        self.assertTrue({"/", "/ready", "/modules", "/stats"} <= endpoints, lines)
        self.assertTrue(all(len(line.split(None, 2)) == 3 for line in lines), lines)  # each has its help
        missing = exchange(self.admin_port, "GET", "/no-such-endpoint")
        self.assertEqual(missing.status, 404)
        self.assertIn(b"GET /stats", missing.body)
        self.assertEqual(exchange(self.admin_port, "POST", "/stats").status, 405)

    def test_admin_modules_lists_the_headers_module(self):
        response = exchange(self.admin_port, "GET", "/modules")
        self.assertEqual(response.status, 200)
        modules = json.loads(response.body)
        headers = [module for module in modules if module["name"] == "headers"]
        self.assertEqual(len(headers), 1, modules)
        self.assertEqual(headers[0]["abi"], CURRENT_ABI)
        self.assertEqual(os.path.realpath(headers[0]["path"]),
                         os.path.realpath(os.path.join(MODULE_DIR, "headers", "headers.so")))


if __name__ == "__main__":
    main()
