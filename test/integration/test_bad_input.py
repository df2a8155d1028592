"""Bad bytes from either side. Requests that break the HTTP/1.1 grammar get
400 (505, 501, 431 or 405 where those say more) and a close, and nothing of
them reaches the upstream; malformed, reset or vanished upstreams give the
client 502, lose their connection, and leave the proxy serving. Upgrade and
CONNECT requests leave the client connection in a clean state. Hostile or
broken config files are refused by `--check` at once, with a short message
that names the place and the limit."""
import base64
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (ConnectionClosed, IntegrationTestCase, RawClient, echo_header_names, exchange,  # noqa: E402
                     free_port, main, request_bytes, run_switchyard, simple_config, wait_until)

# Each is complete as sent: a proxy that accepted it would forward it at once.
REQUESTS_THAT_MUST_BE_REJECTED = {
    "content_length_and_chunked":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
    "chunked_and_content_length":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        b"0\r\n\r\n",
    "two_different_content_lengths":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "content_length_list":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd",
    "invalid_chunk_size":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "bare_lf_line_endings":
        b"GET /echo HTTP/1.1\nHost: h\nX-A: 1\n\n",
    "bare_lf_after_one_header":
        b"GET /echo HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n",
    "obs_fold_with_space":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n",
    "obs_fold_with_tab":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\tfolded\r\n\r\n",
    "space_before_colon":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n",
    "space_before_colon_of_content_length":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length : 4\r\n\r\nabcd",
    "missing_host_on_http_1_1":
        b"GET /echo HTTP/1.1\r\nX-A: 1\r\n\r\n",
    "two_host_headers":
        b"GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "two_spaces_in_request_line":
        b"GET  /echo HTTP/1.1\r\nHost: h\r\n\r\n",
    "fragment_in_target":
        b"GET /echo#frag HTTP/1.1\r\nHost: h\r\n\r\n",
    "space_inside_field_name":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX A: 1\r\n\r\n",
    "empty_field_name_posing_as_pseudo_header":
        b"GET /echo HTTP/1.1\r\nHost: h\r\n:path: /admin\r\n\r\n",
    "control_byte_in_field_value":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n",
    "nul_in_field_value":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n",
    "bare_cr_in_field_value":
        b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n",
    "host_with_space":
        b"GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n",
    "host_with_userinfo":
        b"GET /echo HTTP/1.1\r\nHost: user@h\r\n\r\n",
    "absolute_form_with_invalid_authority":
        b"GET http://a b/echo HTTP/1.1\r\nHost: h\r\n\r\n",
    "transfer_encoding_on_http_1_0":
        b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunked_not_the_last_coding":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    "content_length_with_sign":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: +4\r\n\r\nabcd",
    "content_length_overflow":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 184467440737095516160\r\n\r\nabcd",
    "empty_chunk_extension":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;=x\r\nabc\r\n0\r\n\r\n",
    "bare_lf_in_chunk_line":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
    "obs_fold_in_trailer":
        b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n 2\r\n\r\n",
}

# Refused with a status that says more than 400; (status, request).
REQUESTS_REFUSED_WITH_OTHER_STATUSES = {
    "http_2_0_request_line": (505, b"GET /echo HTTP/2.0\r\nHost: h\r\n\r\n"),
    "http_1_2_request_line": (505, b"GET /echo HTTP/1.2\r\nHost: h\r\n\r\n"),
    "http_2_preface": (505, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    "coding_before_chunked": (501, b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                                   b"0\r\n\r\n"),
    "connect": (405, b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"),
    "too_many_header_fields": (431, b"GET /echo HTTP/1.1\r\nHost: h\r\n"
                                    + b"".join(b"X-%d: v\r\n" % i for i in range(100)) + b"\r\n"),
}


class BadRequestTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.proxy = self.start_proxy(simple_config(self.port, self.upstream.port), self.port)

    def assert_rejected_with_400_and_closed(self, data: bytes, status: int = 400):
        with RawClient(self.port) as client:
            client.send(data)
            response = client.read_response()
            self.assertEqual(response.status, status, response.raw_head)
            # The upstream would also answer 400 to some of these; the proxy
            # must have answered itself, without forwarding.
            self.assertFalse(response.has_header("x-upstream-name"),
                             f"the request was forwarded and the upstream answered: {response.raw_head!r}")
            self.assertIn("close", response.connection_tokens)
            self.assertClosedByPeer(client)

    def test_each_smuggling_shape_is_400_closed_and_never_forwarded(self):
        self.upstream.reset_stats()
        for name, data in REQUESTS_THAT_MUST_BE_REJECTED.items():
            with self.subTest(name):
                self.assert_rejected_with_400_and_closed(data)
        stats = self.upstream.stats()
        self.assertEqual(stats["requests"], 0, f"forwarded: {stats['requests_by_path']}")
        self.assertEqual(exchange(self.port).status, 200, "the proxy stopped serving")

    def test_refusals_with_other_statuses_close_and_are_never_forwarded(self):
        self.upstream.reset_stats()
        for name, (status, data) in REQUESTS_REFUSED_WITH_OTHER_STATUSES.items():
            with self.subTest(name):
                self.assert_rejected_with_400_and_closed(data, status)
        stats = self.upstream.stats()
        self.assertEqual(stats["requests"], 0, f"forwarded: {stats['requests_by_path']}")
        self.assertEqual(exchange(self.port).status, 200, "the proxy stopped serving")

    def test_bad_request_after_a_good_one_on_the_same_connection(self):
        # The good one is answered, the bad one gets 400 and the close; the
        # request that follows it in the same send is never looked at.
        self.upstream.reset_stats()
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo/good")
                        + REQUESTS_THAT_MUST_BE_REJECTED["content_length_and_chunked"]
                        + request_bytes("GET", "/echo/smuggled"))
            self.assertEqual(client.read_response().json()["path"], "/echo/good")
            response = client.read_response()
            self.assertEqual(response.status, 400)
            self.assertClosedByPeer(client)
        self.assertEqual(self.upstream.stats()["requests_by_path"], {"/echo/good": 1})

    def test_the_refusal_survives_bytes_the_client_keeps_sending(self):
        # A refused request with a large body behind it: the proxy answers
        # and shuts its side down, then reads and discards the rest until the
        # client closes (a lingering close). Closing at once with those bytes
        # unread would make the kernel send a reset, which can destroy the
        # 400 in the client's receive buffer before the client reads it.
        for attempt in range(5):
            with RawClient(self.port) as client:
                client.send(b"POST /echo HTTP/1.1\r\nHost: h\r\nBad Header: x\r\nContent-Length: 400000\r\n\r\n")
                client.send(b"x" * 400_000)
                time.sleep(0.05)  # the proxy's final close would come now, while bytes still arrive
                client.send(b"y" * 100_000)
                response = client.read_response()
                self.assertEqual(response.status, 400, f"attempt {attempt}: {response.raw_head!r}")
                self.assertClosedByPeer(client)

    def test_invalid_chunk_size_after_forwarding_started_is_400_and_abandons_the_upstream(self):
        # The bad chunk arrives in a later packet than the headers, so the
        # head and the first chunk are already upstream. The client gets 400
        # and a close, and the upstream connection, left in the middle of a
        # request, must be closed rather than pooled.
        with RawClient(self.port) as client:
            client.send(b"POST /echo/split HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
            self.assertTrue(wait_until(lambda: self.upstream.stats()["connections_open"] == 1, 5))
            client.send(b"zz\r\nabc\r\n0\r\n\r\n")
            response = client.read_response()
            self.assertEqual(response.status, 400, response.raw_head)
            self.assertClosedByPeer(client)
        self.assertTrue(wait_until(lambda: self.upstream.stats()["connections_open"] == 0, 5),
                        "the upstream connection carrying half a request was kept")
        self.assertEqual(exchange(self.port).status, 200)


class HeaderCountLimitTest(IntegrationTestCase):
    def test_listener_max_request_headers_count(self):
        upstream = self.start_upstream("up")
        port = free_port()
        self.start_proxy(simple_config(port, upstream.port, listener_extra="    limits: { max_request_headers_count: 5 }"),
                         port)
        # Host and four more fields is five: accepted.
        headers = [(f"x-{i}", "v") for i in range(4)]
        self.assertEqual(exchange(port, headers=headers).status, 200)
        with RawClient(port) as client:
            client.send(request_bytes("GET", "/echo/six", headers + [("x-4", "v")]))
            response = client.read_response()
            self.assertEqual(response.status, 431, response.raw_head)
            self.assertClosedByPeer(client)
        self.assertNotIn("/echo/six", upstream.stats()["requests_by_path"])


class UpgradeAndConnectTest(IntegrationTestCase):
    """Defects 2 and 3 of issue 9: an Upgrade the proxy does not perform, and
    CONNECT, which it does not tunnel, leave no half-parsed state behind."""

    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.proxy = self.start_proxy(simple_config(self.port, self.upstream.port), self.port)

    def test_upgrade_is_ignored_and_the_connection_goes_on_as_http_1_1(self):
        upgrade = [("Connection", "Upgrade, HTTP2-Settings"), ("Upgrade", "h2c"),
                   ("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA")]
        with RawClient(self.port) as client:
            # Pipelined in one send, and then once more after the answers.
            client.send(request_bytes("GET", "/echo/first", upgrade) + request_bytes("GET", "/echo/second"))
            first = client.read_response()
            self.assertEqual(first.status, 200, first.raw_head)
            self.assertEqual(client.read_response().json()["path"], "/echo/second")
            client.send(request_bytes("POST", "/echo/third", upgrade, body=b"abc"))
            third = client.read_response()
            self.assertEqual(third.json()["body_length"], 3)
            client.send(request_bytes("GET", "/echo/fourth"))
            self.assertEqual(client.read_response().status, 200)
            self.assertStillOpen(client)
        seen = set(echo_header_names(first.json()))
        for hop_by_hop in ("upgrade", "http2-settings", "connection"):
            self.assertNotIn(hop_by_hop, seen)

    def test_curl_http2_on_plain_http_gets_two_http_1_1_answers(self):
        curl = shutil.which("curl")
        if curl is None:
            self.skipTest("curl is not installed")
        url = f"http://127.0.0.1:{self.port}/echo"
        # curl offers "Upgrade: h2c"; the second request reuses the connection
        # (no new connect) and must not get a 400.
        result = subprocess.run([curl, "--silent", "--http2", "--max-time", "5",
                                 "--write-out", "%{http_code} %{http_version} %{num_connects}\n",
                                 "--output", "/dev/null", "--output", "/dev/null", url, url],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.stdout.splitlines(), ["200 1.1 1", "200 1.1 0"], result.stderr)

    def test_connect_then_a_pipelined_get_is_405_and_a_clean_close(self):
        self.upstream.reset_stats()
        with RawClient(self.port) as client:
            client.send(b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n" + request_bytes("GET", "/echo/after"))
            response = client.read_response()
            self.assertEqual(response.status, 405, response.raw_head)
            self.assertIn("close", response.connection_tokens)
            self.assertClosedByPeer(client)  # and no second response, no 400
        self.assertEqual(self.upstream.stats()["requests"], 0)

    def test_connect_with_a_body_is_refused_at_once_and_holds_nothing(self):
        self.upstream.reset_stats()
        started = time.monotonic()
        with RawClient(self.port) as client:
            client.send(b"CONNECT /delay/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde")
            response = client.read_response()
            self.assertEqual(response.status, 405, response.raw_head)
            self.assertClosedByPeer(client, within=1.0)
        self.assertLess(time.monotonic() - started, 1.0)
        stats = self.upstream.stats()
        self.assertEqual((stats["requests"], stats["connections_accepted"]), (0, 0), stats)


def raw_response_path(response: bytes) -> str:
    return "/raw?b64=" + base64.urlsafe_b64encode(response).decode()


# Each breaks one rule of the response grammar; the proxy must answer 502.
RESPONSES_THAT_MUST_BE_REFUSED = {
    "http_2_0_status_line": b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "status_out_of_range": b"HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nok",
    "space_inside_field_name": b"HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 2\r\n\r\nok",
    "nul_in_field_value": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok",
    "obs_fold": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 2\r\n\r\nok",
    "bare_lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    "content_length_with_sign": b"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
    "transfer_coding_other_than_chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
    "too_many_header_fields": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                              + b"".join(b"X-%d: v\r\n" % i for i in range(100)) + b"\r\nok",
}


class BadUpstreamTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("first")
        self.port = free_port()
        self.proxy = self.start_proxy(simple_config(self.port, self.upstream.port), self.port)

    def assert_next_request_uses_a_new_upstream_connection(self, broken_connection_id, accepted_before):
        after = exchange(self.port, "GET", "/echo/after")
        self.assertEqual(after.status, 200)
        self.assertNotEqual(after.json()["connection_id"], broken_connection_id,
                            "the connection that carried the malformed response was reused")
        self.assertEqual(self.upstream.stats()["connections_accepted"], accepted_before + 1)

    def warm_pooled_connection(self):
        """Leaves one idle pooled upstream connection; returns its id and the
        upstream's connections_accepted."""
        warm = exchange(self.port, "GET", "/echo/warm")
        self.assertEqual(warm.status, 200)
        return warm.json()["connection_id"], self.upstream.stats()["connections_accepted"]

    def test_malformed_response_head_is_502_and_next_request_uses_a_new_connection(self):
        for kind in ("badstatus", "badheader", "nocrlf"):
            with self.subTest(kind):
                pooled_id, accepted_before = self.warm_pooled_connection()
                with RawClient(self.port) as client:
                    client.send(request_bytes("GET", f"/malformed?kind={kind}"))
                    response = client.read_response()
                    self.assertEqual(response.status, 502, response.raw_head)
                    # The client's own connection is fine and stays usable.
                    client.send(request_bytes("GET", "/echo/same-client"))
                    self.assertEqual(client.read_response().status, 200)
                # /echo/same-client opened the replacement connection.
                self.assertEqual(self.upstream.stats()["connections_accepted"], accepted_before + 1)
                after = exchange(self.port, "GET", "/echo/after")
                self.assertNotEqual(after.json()["connection_id"], pooled_id)

    def test_each_response_grammar_violation_is_502_and_the_upstream_connection_is_closed(self):
        for name, raw in RESPONSES_THAT_MUST_BE_REFUSED.items():
            with self.subTest(name):
                with RawClient(self.port) as client:
                    client.send(request_bytes("GET", raw_response_path(raw)))
                    response = client.read_response()
                    self.assertEqual(response.status, 502, response.raw_head)
                    self.assertFalse(response.has_header("x-a"))
                # /raw keeps its end open: only the proxy can have closed it.
                self.assertTrue(wait_until(lambda: self.upstream.stats()["connections_open"] == 0, 5),
                                "the connection that carried the bad response was kept")
        self.assertEqual(exchange(self.port).status, 200)

    def test_malformed_chunked_response_body_is_never_delivered_as_complete(self):
        # Whatever the status, the client must be able to tell the response
        # is broken: a 502, or a response whose body never completes.
        pooled_id, accepted_before = self.warm_pooled_connection()
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/malformed?kind=badchunk"))
            try:
                response = client.read_response()
            except ConnectionClosed:
                response = None
            if response is not None:
                self.assertEqual(response.status, 502, f"delivered as complete: {response.raw_head!r}")
        self.assert_next_request_uses_a_new_upstream_connection(pooled_id, accepted_before)

    def test_upstream_reset_is_502_and_proxy_keeps_serving(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/reset"))
            self.assertEqual(client.read_response().status, 502)
            client.send(request_bytes("GET", "/echo/after-reset"))
            self.assertEqual(client.read_response().json()["path"], "/echo/after-reset")
        self.assertEqual(exchange(self.port).status, 200)

    def test_reset_in_the_middle_of_the_body_cuts_the_client_response(self):
        # The head is already out, so a 502 is no longer possible: the client
        # must be able to tell the response is incomplete (short and closed).
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/reset-mid-body?bytes=100000"))
            head = client.read_response(head_request=True)
            self.assertEqual(head.status, 200)
            promised = int(head.header("content-length"))
            received = len(client.read_all_until_close())
            self.assertLess(received, promised)
        self.assertEqual(exchange(self.port).status, 200)

    def test_upstream_killed_during_request_is_502_and_restarted_upstream_is_served(self):
        port = self.upstream.port
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/hang"))
            self.assertTrue(self._wait_for_hang_to_arrive(), "the /hang request never reached the upstream")
            self.upstream.kill()
            response = client.read_response()
            self.assertEqual(response.status, 502)
        restarted = self.start_upstream("second", port=port)
        response = exchange(self.port, "GET", "/echo/after-restart")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json()["server"], "second")

    def _wait_for_hang_to_arrive(self) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.upstream.stats()["requests_by_path"].get("/hang"):
                return True
            time.sleep(0.02)
        return False


def billion_laughs() -> str:
    """Nine levels of nine aliases: 342 bytes that expand to gigabytes."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


class BadConfigFileTest(IntegrationTestCase):
    # Each was measured in seconds (or never finished) before the limits;
    # the bound is generous for a loaded machine.
    QUICK = 2.0

    def check(self, name: str, content: bytes):
        path = os.path.join(self.workdir, name)
        with open(path, "wb") as out:
            out.write(content)
        start = time.monotonic()
        # text=True: stderr must decode as UTF-8, which raw binary would not.
        result = run_switchyard(["--check", "-c", path])
        return path, result, time.monotonic() - start

    def test_billion_laughs_is_refused_at_once_naming_line_and_limit(self):
        path, result, elapsed = self.check("laughs.yaml", billion_laughs().encode())
        self.assertEqual(result.returncode, 1, result)
        self.assertLess(elapsed, self.QUICK)
        self.assertIn(f"{path}:6:20: aliases expand to more than 1048576 bytes (the limit on what aliases may "
                      "add to a document)", result.stderr)

    def test_deep_json_is_refused_at_once_with_its_position(self):
        path, result, elapsed = self.check("deep.json", b'{"listeners": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")
        self.assertEqual(result.returncode, 1, result)
        self.assertLess(elapsed, self.QUICK)
        self.assertIn(f"{path}:1:46: mappings and lists nested more than 32 levels deep (the limit)",
                      result.stderr)

    def test_deep_yaml_says_what_is_wrong(self):
        text = "".join("  " * i + "k:\n" for i in range(600)) + "  " * 600 + "v\n"
        path, result, elapsed = self.check("deep.yaml", text.encode())
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(f"{path}:33:65: mappings and lists nested more than 32 levels deep (the limit)",
                      result.stderr)

    def test_megabyte_value_is_quoted_as_a_short_excerpt(self):
        path, result, _ = self.check("big_value.yaml",
                                     b'listeners:\n  - name: http\n    port: "' + b"x" * 1_000_000 + b'"\n')
        self.assertEqual(result.returncode, 1, result)
        self.assertIn('port: expected an integer from 0 to 4294967295, got string "' + "x" * 64 +
                      "\u2026(1000000 bytes)\"", result.stderr)
        self.assertLess(len(result.stderr), 1000)

    def test_file_past_the_size_limit_is_refused_without_reading_it(self):
        path = os.path.join(self.workdir, "huge.yaml")
        with open(path, "wb") as out:
            out.truncate(50 * 1024 * 1024)
        start = time.monotonic()
        result = run_switchyard(["--check", "-c", path])
        self.assertLess(time.monotonic() - start, self.QUICK)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(f"{path}: is 52428800 bytes, larger than the 16777216 bytes a config may have",
                      result.stderr)

    def test_control_and_binary_bytes_are_named_escaped(self):
        path, result, _ = self.check("nul.yaml", b'listeners:\n  - name: "ht\x00tp"\n')
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(f"{path}:2:14: control character \\x00 is not allowed in config text", result.stderr)

        path, result, _ = self.check("binary.yaml", bytes(range(0x80, 0x100)) + bytes(range(0x00, 0x80)))
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(f"{path}:1:1: byte \\x80 is not valid UTF-8", result.stderr)
        printable = all(c == "\n" or c.isprintable() for c in result.stderr)
        self.assertTrue(printable, repr(result.stderr))


if __name__ == "__main__":
    main()
