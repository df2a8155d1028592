"""modules/tracing over real sockets: two switchyard hops in a row (the
first retrying once) in one trace with the right parent links, request ids
kept end to end, W3C and B3 in and out, malformed context starting a new
trace, sampling, local replies recorded, and a collector that is down or
hanging costing requests nothing while the spans it cannot take are
dropped and counted. Spans reach a collector in this process
(trace_collector.py) as OTLP protobuf, decoded by protoc, or Zipkin v2
JSON, checked against the schema."""
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MODULE_DIR, IntegrationTestCase, RawClient, access_log_yaml, echo_header_values,  # noqa: E402
                     exchange, free_port, main, proxy_stats, read_text, request_bytes, run_switchyard, wait_until)
from trace_collector import TraceCollector  # noqa: E402

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$")


def hop_config(port: int, admin_port: int, upstream_port: int, tracing: dict, retry: dict | None = None,
               collector_port: int | None = None, more_filters: list[tuple[str, dict]] = (),
               access_log_path: str | None = None) -> str:
    """One listener: tracing, then `more_filters`, then retry (when given),
    and every path under /api/ to `backend`; a `collector` cluster when
    given; an access log of "request-id status" lines when given."""
    filters = f"      - name: tracing\n        config: {json.dumps(tracing)}\n"
    for name, config in more_filters:
        filters += f"      - name: {name}\n        config: {json.dumps(config)}\n"
    if retry is not None:
        filters += f"      - name: retry\n        config: {json.dumps(retry)}\n"
    collector = (f"  - name: collector\n    connect_timeout: 1s\n    endpoints:\n"
                 f"      - {{ address: 127.0.0.1, port: {collector_port} }}\n") if collector_port else ""
    access_log = access_log_yaml(access_log_path, "%REQUEST_ID% %RESPONSE_CODE%") if access_log_path else ""
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {port}
{access_log}    filters:
{filters}    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: api
            match: {{ prefix: /api/ }}
            route: {{ cluster: backend, prefix_rewrite: / }}
clusters:
  - name: backend
    connect_timeout: 1s
    endpoints:
      - {{ address: 127.0.0.1, port: {upstream_port} }}
{collector}"""


def export(format_: str, **options) -> dict:
    return dict({"format": format_, "cluster": "collector", "batch_size": 1, "flush_interval": "20ms"}, **options)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class TracingTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.collector = TraceCollector()
        self.addCleanup(self.collector.close)

    def serve(self, upstream_port: int, tracing: dict, name: str = "proxy", **options):
        port, admin_port = free_port(), free_port()
        proxy = self.start_proxy(hop_config(port, admin_port, upstream_port, tracing, collector_port=self.collector.port,
                                            **options), port, name=name)
        proxy.admin_port = admin_port
        return proxy

    def echo_through(self, proxy, headers=None, path: str = "/api/echo"):
        response = exchange(proxy.port, path=path, headers=headers)
        self.assertEqual(response.status, 200, response.body)
        return response, response.json()

    # -- two hops, one trace ---------------------------------------------------

    def test_two_hops_with_a_retry_are_one_trace_with_a_client_span_per_attempt(self):
        upstream = self.start_upstream()
        log_a, log_b = (os.path.join(self.workdir, f"access-{hop}.log") for hop in "ab")
        hop_b = self.serve(upstream.port, {"service_name": "hop-b", "export": export("zipkin")}, name="hop-b",
                           access_log_path=log_b)
        hop_a = self.serve(hop_b.port, {"service_name": "hop-a", "export": export("otlp")}, name="hop-a",
                           retry={"retry_on": ["5xx"], "num_retries": 1}, access_log_path=log_a)
        response = exchange(hop_a.port, path="/api/api/fail-first/1?key=two-hops")
        self.assertEqual(response.status, 200, response.body)
        request_id = response.header("x-request-id")
        self.assertRegex(request_id, UUID_V4)
        echo = response.json()
        self.assertEqual(echo_header_values(echo, "x-request-id"), [request_id])
        # Both access logs name the request by the same id: hop A once, hop B
        # once per attempt A sent it.
        self.assertTrue(wait_until(lambda: read_text(log_b).count("\n") == 2 and read_text(log_a), 5),
                        (read_text(log_a), read_text(log_b)))
        self.assertEqual(read_text(log_a).splitlines(), [f"{request_id} 200"])
        self.assertEqual(read_text(log_b).splitlines(), [f"{request_id} 503", f"{request_id} 200"])

        a_server = self.collector.wait_for_spans(1, service="hop-a", kind="SERVER")[0]
        a_clients = self.collector.wait_for_spans(2, service="hop-a", kind="CLIENT")
        b_servers = self.collector.wait_for_spans(2, service="hop-b", kind="SERVER")
        b_clients = self.collector.wait_for_spans(2, service="hop-b", kind="CLIENT")
        self.assertEqual({span["format"] for span in a_clients + [a_server]}, {"otlp"})
        self.assertEqual({span["format"] for span in b_clients + b_servers}, {"zipkin"})
        everything = [a_server] + a_clients + b_servers + b_clients
        self.assertEqual({span["trace_id"] for span in everything}, {a_server["trace_id"]})
        self.assertEqual(len({span["id"] for span in everything}), 7)

        self.assertIsNone(a_server["parent_id"])
        self.assertEqual(a_server["tags"]["http.status_code"], 200)
        self.assertEqual(a_server["tags"]["guid:x-request-id"], request_id)
        self.assertEqual(a_server["tags"]["route"], "api")
        self.assertEqual(a_server["tags"]["attempts"], "2")
        by_attempt = {span["tags"]["attempt.number"]: span for span in a_clients}
        self.assertEqual(set(by_attempt), {1, 2})
        self.assertEqual(by_attempt[1]["tags"]["http.status_code"], 503)
        self.assertTrue(by_attempt[1]["error"])
        self.assertEqual(by_attempt[2]["tags"]["http.status_code"], 200)
        self.assertFalse(by_attempt[2]["error"])
        for attempt in a_clients:
            self.assertEqual(attempt["parent_id"], a_server["id"])
            self.assertEqual(attempt["tags"]["upstream.host"], f"127.0.0.1:{hop_b.port}")
            self.assertEqual(attempt["tags"]["attempt.outcome"], "response")
            self.assertEqual(attempt["tags"]["attempt.hedged"], "false")
            # Hop B's server span of this attempt is its child, and hop B's
            # client span is that one's child.
            b_server = next(span for span in b_servers if span["parent_id"] == attempt["id"])
            b_client = next(span for span in b_clients if span["parent_id"] == b_server["id"])
            self.assertEqual(b_server["tags"]["guid:x-request-id"], request_id)
            self.assertEqual(b_client["tags"]["upstream.host"], f"127.0.0.1:{upstream.port}")
            self.assertEqual(b_client["remote"], {"ipv4": "127.0.0.1", "port": upstream.port})
            expected_status = str(attempt["tags"]["http.status_code"])
            self.assertEqual(b_server["tags"]["http.status_code"], expected_status)
            self.assertEqual(b_client["tags"]["http.status_code"], expected_status)

    # -- config errors ---------------------------------------------------------

    def test_a_bad_config_names_every_bad_field(self):
        bad = {"propagation": ["w3c", "jaeger"], "sampling": {"percent": 150}, "force_trace_header": "x y",
               "colour": "red", "export": {"format": "carrier-pigeon", "batch_size": 0, "path": "v1"}}
        path = self.write_file("bad.yaml", hop_config(free_port(), free_port(), 1, bad, collector_port=2))
        result = run_switchyard(["-c", path, "--check", "--module-path", MODULE_DIR])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        prefix = "bad.yaml: listeners[0].filters[0].config."
        for expected in ("propagation[1]: unknown propagation format \"jaeger\" (expected w3c, b3 or b3_single)",
                         "sampling.percent: ", "force_trace_header: \"x y\" is not a valid header name",
                         "colour: unknown field", "export.format: unknown export format \"carrier-pigeon\"",
                         "export: missing the required field cluster", "export.batch_size: ",
                         "export.path: expected a path starting with /"):
            self.assertIn(prefix + expected, result.stderr)

    # -- request ids -----------------------------------------------------------

    def test_a_valid_request_id_is_kept_and_a_missing_or_bad_one_replaced(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {})
        response, echo = self.echo_through(proxy, headers=[("x-request-id", "caller-id-42")])
        self.assertEqual(response.header("x-request-id"), "caller-id-42")
        self.assertEqual(echo_header_values(echo, "x-request-id"), ["caller-id-42"])
        for headers in ([], [("x-request-id", "x" * 129)]):
            response, echo = self.echo_through(proxy, headers=headers)
            generated = response.header("x-request-id")
            self.assertRegex(generated, UUID_V4)
            self.assertEqual(echo_header_values(echo, "x-request-id"), [generated])
        self.assertEqual(proxy_stats(proxy.admin_port)["tracing.request_ids_generated"], 2)

    # -- propagation formats ---------------------------------------------------

    def test_b3_in_w3c_out_keeps_the_trace_id(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"propagation": ["w3c"]})
        _, echo = self.echo_through(proxy, headers=[("X-B3-TraceId", "463ac35c9f6413ad"),
                                                    ("X-B3-SpanId", "a2fb4a1d1a96d312"), ("X-B3-Sampled", "1")])
        traceparent = echo_header_values(echo, "traceparent")
        self.assertEqual(len(traceparent), 1)
        trace_id, span_id, flags = TRACEPARENT.match(traceparent[0]).groups()
        self.assertEqual(trace_id, "0000000000000000463ac35c9f6413ad")  # the 64-bit id, padded
        self.assertNotEqual(span_id, "a2fb4a1d1a96d312")  # ours, a child of the caller's
        self.assertEqual(flags, "01")
        self.assertEqual(echo_header_values(echo, "x-b3-traceid"), [])
        _, echo = self.echo_through(proxy, headers=[
            ("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0-05e3ac9a4f6e3b90")])
        trace_id, _, flags = TRACEPARENT.match(echo_header_values(echo, "traceparent")[0]).groups()
        self.assertEqual((trace_id, flags), ("80f198ee56343ba864fe8b2a57d3eff7", "00"))
        self.assertEqual(echo_header_values(echo, "b3"), [])

    def test_w3c_in_b3_out_keeps_the_trace_id(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"propagation": ["b3", "b3_single"]})
        caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _, echo = self.echo_through(proxy, headers=[("traceparent", caller), ("tracestate", "vendor=1")])
        self.assertEqual(echo_header_values(echo, "traceparent"), [])
        self.assertEqual(echo_header_values(echo, "x-b3-traceid"), ["4bf92f3577b34da6a3ce929d0e0e4736"])
        self.assertEqual(echo_header_values(echo, "x-b3-sampled"), ["1"])
        span_id = echo_header_values(echo, "x-b3-spanid")[0]
        server_span = echo_header_values(echo, "x-b3-parentspanid")[0]
        self.assertNotIn("00f067aa0ba902b7", (span_id, server_span))
        self.assertEqual(echo_header_values(echo, "b3"),
                         [f"4bf92f3577b34da6a3ce929d0e0e4736-{span_id}-1-{server_span}"])

    def test_malformed_context_starts_a_new_trace(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"propagation": ["w3c", "b3"]})
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        malformed = [
            [("traceparent", f"ff-{trace}-00f067aa0ba902b7-01")],          # version ff
            [("traceparent", f"00-{'0' * 32}-00f067aa0ba902b7-01")],       # zero trace id
            [("traceparent", f"00-{trace}-{'0' * 16}-01")],                # zero parent id
            [("traceparent", f"00-{trace.upper()}-00f067aa0ba902b7-01")],  # upper case
            [("traceparent", f"00-{trace}-00f067aa0ba902b7-01-extra")],    # 00 has nothing after
            [("traceparent", f"00-{trace}-00f067aa0ba902b7")],             # too short
            [("traceparent", f"00-{trace}-00f067aa0ba902b7-01"),
             ("traceparent", f"00-{trace}-00f067aa0ba902b7-01")],          # repeated
            [("X-B3-TraceId", trace[:20]), ("X-B3-SpanId", "00f067aa0ba902b7")],  # odd length
            [("b3", f"{trace}-xyz-1")],
        ]
        for headers in malformed:
            with self.subTest(headers=headers):
                _, echo = self.echo_through(proxy, headers=headers)
                trace_id = TRACEPARENT.match(echo_header_values(echo, "traceparent")[0]).group(1)
                self.assertNotEqual(trace_id, trace)
                self.assertEqual(echo_header_values(echo, "x-b3-traceid"), [trace_id])
        # A later version may append fields: it still joins the trace.
        _, echo = self.echo_through(proxy, headers=[("traceparent", f"cc-{trace}-00f067aa0ba902b7-01-later")])
        self.assertEqual(TRACEPARENT.match(echo_header_values(echo, "traceparent")[0]).group(1), trace)

    # -- sampling --------------------------------------------------------------

    def test_unsampled_requests_propagate_but_only_forced_or_caller_sampled_ones_export(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"sampling": {"percent": 0}, "export": export("zipkin")})
        response, echo = self.echo_through(proxy)
        self.assertRegex(response.header("x-request-id"), UUID_V4)
        unsampled_trace, _, flags = TRACEPARENT.match(echo_header_values(echo, "traceparent")[0]).groups()
        self.assertEqual(flags, "00")
        _, echo = self.echo_through(proxy, headers=[("x-switchyard-force-trace", "1")])
        forced_trace, _, flags = TRACEPARENT.match(echo_header_values(echo, "traceparent")[0]).groups()
        self.assertEqual(flags, "01")
        caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        self.echo_through(proxy, headers=[("traceparent", caller)])
        self.collector.wait_for_spans(2, trace_id=forced_trace)
        self.collector.wait_for_spans(2, trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
        self.assertEqual([s for s in self.collector.spans if s["trace_id"] == unsampled_trace], [])
        self.assertEqual(proxy_stats(proxy.admin_port)["tracing.requests_unsampled"], 1)

    # -- local replies ---------------------------------------------------------

    def test_local_replies_get_a_server_span_with_status_and_flags(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"export": export("zipkin")})
        response = exchange(proxy.port, path="/nowhere")
        self.assertEqual(response.status, 404)
        self.assertRegex(response.header("x-request-id"), UUID_V4)
        span = self.collector.wait_for_spans(1, kind="SERVER")[0]
        self.assertEqual(span["tags"]["http.status_code"], "404")
        self.assertEqual(span["tags"]["response.flags"], "NR")
        self.assertEqual(span["tags"]["fault.injected"], "false")
        self.assertFalse(span["error"])
        upstream.kill()
        response = exchange(proxy.port, path="/api/echo")
        self.assertEqual(response.status, 503)
        failed = self.collector.wait_for_spans(1, kind="SERVER", error=True)[0]
        self.assertEqual(failed["tags"]["response.flags"], "UF")
        client = self.collector.wait_for_spans(1, kind="CLIENT")[0]
        self.assertEqual((client["tags"]["attempt.outcome"], client["parent_id"]), ("connect_failure", failed["id"]))

    def test_hedged_and_timed_out_attempts_are_spans_and_the_timeouts_504_is_recorded(self):
        upstream = self.start_upstream()
        proxy = self.serve(upstream.port, {"export": export("zipkin")},
                           more_filters=[("timeout", {"request_timeout_ms": 600})],
                           retry={"retry_on": ["5xx"], "num_retries": 1, "per_try_timeout_ms": 150,
                                  "hedge": {"on_per_try_timeout": True}})
        response = exchange(proxy.port, path="/api/delay/3000")
        self.assertEqual(response.status, 504)
        server = self.collector.wait_for_spans(1, kind="SERVER")[0]
        self.assertEqual(server["tags"]["http.status_code"], "504")
        self.assertIn("UT", server["tags"]["response.flags"].split(","))
        self.assertTrue(server["error"])
        clients = self.collector.wait_for_spans(2, kind="CLIENT")
        by_attempt = {span["tags"]["attempt.number"]: span for span in clients}
        self.assertEqual(by_attempt["1"]["tags"]["attempt.hedged"], "false")
        self.assertEqual(by_attempt["2"]["tags"]["attempt.hedged"], "true")
        for span in clients:
            self.assertEqual(span["parent_id"], server["id"])
            self.assertIn(span["tags"]["attempt.outcome"], ("timed_out", "cancelled"))
            self.assertTrue(span["error"])
        self.assertEqual(len({span["id"] for span in clients}), 2)

    def test_a_breakers_refusal_is_recorded_without_a_client_span(self):
        upstream = self.start_upstream()
        breaker = {"clusters": [{"cluster": "backend", "consecutive_failures": 1, "open_interval": "30s"}]}
        proxy = self.serve(upstream.port, {"export": export("zipkin")}, more_filters=[("breaker", breaker)])
        self.assertEqual(exchange(proxy.port, path="/api/status/503").status, 503)
        refused = exchange(proxy.port, path="/api/echo")
        self.assertEqual(refused.status, 503)
        self.assertTrue(refused.has_header("x-switchyard-overloaded"))
        servers = self.collector.wait_for_spans(2, kind="SERVER")
        refused_span = next(span for span in servers if span["tags"].get("response.flags") == "UO")
        self.assertEqual(refused_span["tags"]["http.status_code"], "503")
        self.assertEqual(refused_span["tags"]["attempts"], "0")
        self.collector.wait_for_spans(1, kind="CLIENT")
        self.assertEqual([s for s in self.collector.spans if s["parent_id"] == refused_span["id"]], [])

    # -- a collector that cannot keep up ---------------------------------------

    def test_a_collector_down_or_hanging_costs_requests_nothing_and_drops_are_counted(self):
        upstream = self.start_upstream()
        hanging = TraceCollector(hang=True)
        self.addCleanup(hanging.close)
        bounded = {"export": export("otlp", batch_size=5, max_queue=20, max_in_flight=1, timeout="10s")}
        proxies = {}
        for label, tracing, collector_port in (("no export", {}, None), ("down", bounded, free_port()),
                                               ("hanging", bounded, hanging.port)):
            port, admin_port = free_port(), free_port()
            proxies[label] = self.start_proxy(hop_config(port, admin_port, upstream.port, tracing,
                                                         collector_port=collector_port), port,
                                              name=label.replace(" ", "-"))
            proxies[label].admin_port = admin_port
        # One keep-alive client per proxy, the requests taking turns, so
        # that whatever else loads the machine meanwhile falls on all three.
        clients = {label: RawClient(proxy.port) for label, proxy in proxies.items()}
        samples = {label: [] for label in proxies}
        requests = 400
        for _ in range(requests):
            for label, client in clients.items():
                started = time.monotonic()
                client.send(request_bytes("GET", "/api/echo"))
                self.assertEqual(client.read_response().status, 200)
                samples[label].append((time.monotonic() - started) * 1000)
        for client in clients.values():
            client.close()
        base_p50, base_p99 = percentile(samples["no export"], 0.5), percentile(samples["no export"], 0.99)
        for label in ("down", "hanging"):
            with self.subTest(collector=label):
                p50, p99 = percentile(samples[label], 0.5), percentile(samples[label], 0.99)
                print(f"\nlatency ms, collector {label}: p50 {p50:.2f} p99 {p99:.2f} "
                      f"(no export: p50 {base_p50:.2f} p99 {base_p99:.2f})", file=sys.stderr)
                # The stated bound: a collector that is down or hanging adds
                # at most 1 ms at the median and 10 ms at the 99th percentile.
                self.assertLess(p50, base_p50 + 1.0)
                self.assertLess(p99, base_p99 + 10.0)
                stats = proxy_stats(proxies[label].admin_port)
                self.assertEqual(stats["tracing.spans_started"], 2 * requests)
                self.assertEqual(stats.get("tracing.spans_exported", 0), 0)
                # Whatever is not waiting in the queue (20) or in the one
                # call in flight (5) was dropped and counted.
                self.assertGreaterEqual(stats["tracing.spans_dropped"], 2 * requests - 20 - 5)
        self.assertGreater(proxy_stats(proxies["down"].admin_port)["tracing.export_failures"], 0)
        self.assertTrue(hanging.wait_for(lambda collector: collector.requests_seen >= 1))
        self.assertEqual(hanging.requests_seen, 1)

    def test_a_drain_ends_export_calls_stuck_on_a_hanging_collector(self):
        upstream = self.start_upstream()
        hanging = TraceCollector(hang=True)
        self.addCleanup(hanging.close)
        port, admin_port = free_port(), free_port()
        proxy = self.start_proxy(hop_config(port, admin_port, upstream.port,
                                            {"export": export("otlp", timeout="60s")},
                                            collector_port=hanging.port), port, concurrency=2)
        for _ in range(4):
            self.assertEqual(exchange(port, path="/api/echo").status, 200)
        self.assertTrue(hanging.wait_for(lambda collector: collector.requests_seen >= 1))
        started = time.monotonic()
        proxy.signal(signal.SIGTERM)
        self.assertEqual(proxy.wait(timeout=10), 0)
        # Not the 60 s export timeout, nor the 15 s drain deadline.
        self.assertLess(time.monotonic() - started, 5.0)


if __name__ == "__main__":
    main()
