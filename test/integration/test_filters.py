"""Filter modules in the real process: instances of one module run in
listener order on requests and in reverse on responses, a route override
is merged into one filter's config for that route only, and configs that name a
missing module or an unknown field are refused with the file, listener,
filter and field named, and a body whose content-length a filter removed is
framed chunked upstream."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MODULE_DIR, SOURCE_ROOT, IntegrationTestCase, echo_header_values, exchange,  # noqa: E402
                     free_port, main, port_accepts, run_switchyard, simple_config)


def two_filter_config(listener_port: int, upstream_port: int) -> str:
    return f"""
listeners:
  - name: edge
    port: {listener_port}
    filters:
      - name: a
        module: headers
        config:
          request: {{ add: [{{ name: x-order, value: a }}] }}
          response: {{ add: [{{ name: x-order, value: a }}] }}
      - name: b
        module: headers
        config:
          request: {{ add: [{{ name: x-order, value: b }}] }}
          response: {{ add: [{{ name: x-order, value: b }}] }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: special
            match: {{ prefix: /special/ }}
            route: {{ cluster: backend, prefix_rewrite: /echo/ }}
            filter_overrides:
              a:
                request: {{ add: null, set: [{{ name: x-route-seen, value: "%ROUTE%" }}] }}
                response: {{ set: [{{ name: x-route, value: "%ROUTE%" }}] }}
          - name: default
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints: [{{ address: 127.0.0.1, port: {upstream_port} }}]
"""


class FilterChainTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.proxy = self.start_proxy(two_filter_config(self.port, self.upstream.port), self.port)

    def test_filters_run_in_order_on_requests_and_in_reverse_on_responses(self):
        response = exchange(self.port, "GET", "/echo")
        self.assertEqual(response.status, 200)
        self.assertEqual(echo_header_values(response.json(), "x-order"), ["a", "b"])
        self.assertEqual(response.header_values("x-order"), ["b", "a"])

    def test_route_override_is_merged_into_one_filters_config_for_that_route_only(self):
        special = exchange(self.port, "GET", "/special/x")
        self.assertEqual(special.status, 200)
        echo = special.json()
        self.assertEqual(echo["path"], "/echo/x")
        # Filter a runs its listener config with the override merged in:
        # request.add removed by the YAML null, request.set and response.set
        # added, response.add kept. b runs its own config.
        self.assertEqual(echo_header_values(echo, "x-order"), ["b"])
        self.assertEqual(echo_header_values(echo, "x-route-seen"), ["special"])
        self.assertEqual(special.header_values("x-order"), ["b", "a"])
        self.assertEqual(special.header("x-route"), "special")
        # Other routes keep the listener-level config of a.
        default = exchange(self.port, "GET", "/echo/y")
        self.assertEqual(echo_header_values(default.json(), "x-order"), ["a", "b"])
        self.assertEqual(echo_header_values(default.json(), "x-route-seen"), [])
        self.assertEqual(default.header_values("x-order"), ["b", "a"])
        self.assertIsNone(default.header("x-route"))

    def test_filters_also_see_local_replies(self):
        # A 404 from the router passes through the response filters too.
        config = two_filter_config(self.port, self.upstream.port).replace("prefix: / }", "prefix: /only/ }")
        port = free_port()
        self.start_proxy(config.replace(f"port: {self.port}", f"port: {port}"), port, name="narrow")
        response = exchange(port, "GET", "/nowhere")
        self.assertEqual(response.status, 404)
        self.assertEqual(response.header_values("x-order"), ["b", "a"])


class ConfigCheckTest(IntegrationTestCase):
    def check(self, config_text: str, name: str = "config.yaml"):
        path = self.write_file(name, config_text)
        return path, run_switchyard(["--check", "-c", path, "--module-path", MODULE_DIR])

    def test_missing_module_fails_check_naming_file_listener_and_filter(self):
        config = two_filter_config(free_port(), free_port()).replace(
            "      - name: b\n        module: headers\n", "      - name: ghost\n        module: no_such_module\n")
        path, result = self.check(config)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(path, result.stderr)
        self.assertIn("edge", result.stderr)
        self.assertIn("ghost", result.stderr)
        self.assertIn("no_such_module", result.stderr)
        self.assertIn("not found", result.stderr.lower())

    def test_missing_module_stops_the_proxy_from_starting(self):
        port = free_port()
        config = two_filter_config(port, free_port()).replace("module: headers", "module: no_such_module")
        proxy = self.start_proxy(config, None)
        self.assertEqual(proxy.wait(timeout=10), 1)
        self.assertIn("no_such_module", proxy.read_log())
        self.assertFalse(port_accepts(port))

    def test_unknown_field_fails_check_naming_file_and_field(self):
        config = two_filter_config(free_port(), free_port()).replace(
            "  - name: edge\n", "  - name: edge\n    colour: blue\n")
        path, result = self.check(config)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(path, result.stderr)
        self.assertIn("colour", result.stderr)

    def test_unknown_field_in_json_config_fails_check(self):
        path, result = self.check('{"listeners": [], "clusterz": []}', name="config.json")
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(path, result.stderr)
        self.assertIn("clusterz", result.stderr)

    def test_route_override_rejected_by_module_fails_check_naming_listener_and_route(self):
        # The first %ROUTE% is in route "special"'s override of filter a.
        config = two_filter_config(free_port(), free_port()).replace('value: "%ROUTE%"', 'value: "%NO_SUCH_VAR%"', 1)
        path, result = self.check(config)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(path, result.stderr)
        self.assertIn("edge", result.stderr)
        self.assertIn("special", result.stderr)
        # The line names the value by its place in the file.
        self.assertIn(f"{path}: listeners[0].virtual_hosts[0].routes[0].filter_overrides.a.request.set[0].value: "
                      "unknown variable %NO_SUCH_VAR%", result.stderr)

    def test_listener_filter_config_rejected_by_module_fails_check_naming_filter(self):
        config = two_filter_config(free_port(), free_port()).replace(
            "request: { add: [{ name: x-order, value: b }] }", "request: { add: [{ name: x-order, value: '%B' }] }")
        path, result = self.check(config)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(path, result.stderr)
        self.assertIn("edge", result.stderr)
        self.assertIn("'b'", result.stderr)
        self.assertIn(f"{path}: listeners[0].filters[1].config.request.add[0].value: unterminated variable",
                      result.stderr)

    def test_typed_config_errors_fail_check_each_named_by_its_path(self):
        # test/abi's typed_config fixture reads `threshold` (1..10) and
        # `timeout` (up to 60 s) through the typed config calls alone.
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "typed_config.so")
        config = f"""
listeners:
  - name: edge
    port: {free_port()}
    filters:
      - name: fine
        path: {fixture}
        config: {{ threshold: 3 }}
      - name: broken
        path: {fixture}
        config: {{ threshold: 99, colour: blue }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: first
            match: {{ prefix: /a }}
            route: {{ cluster: backend }}
          - name: second
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
            filter_overrides:
              fine: {{ timeout: "2m" }}
clusters:
  - name: backend
    endpoints: [{{ address: 127.0.0.1, port: {free_port()} }}]
"""
        path, result = self.check(config)
        self.assertEqual(result.returncode, 1, result)
        lines = result.stderr.splitlines()
        self.assertIn(f"  {path}: listeners[0].filters[1].config.colour: unknown field (expected threshold or "
                      "timeout)", lines)
        self.assertIn(f"  {path}: listeners[0].filters[1].config.threshold: expected an integer from 1 to 10, "
                      "got 99", lines)
        self.assertIn(f"  {path}: listeners[0].virtual_hosts[0].routes[1].filter_overrides.fine.timeout: expected "
                      'a duration from 0ms to 60000ms ("300ms", "1.5s" or an integer of milliseconds), got "2m"',
                      lines)
        # The rejected configs are named as before: file, listener, filter or route, module.
        self.assertIn(f"{path}: listeners[0] 'edge': filters[1] 'broken': the module rejected its config "
                      "(config_rejected): module 'typed_config'", result.stderr)
        self.assertIn(f"{path}: listeners[0] 'edge': route 'second': filter_overrides.fine: the module rejected "
                      "its config (config_rejected)", result.stderr)

    def test_valid_config_passes_check_without_serving(self):
        port = free_port()
        path, result = self.check(two_filter_config(port, free_port()))
        self.assertEqual(result.returncode, 0, result)
        self.assertFalse(port_accepts(port))

    def test_shipped_examples_pass_check_without_module_flags(self):
        # The binary finds the build tree's modules by itself.
        for example in ("demo.yaml", "retry.yaml", "breaker.yaml", "fault.yaml"):
            path = os.path.join(SOURCE_ROOT, "host", "examples", example)
            result = run_switchyard(["--check", "-c", path])
            self.assertEqual(result.returncode, 0, result)


class BodyFramingTest(IntegrationTestCase):
    def test_body_goes_chunked_when_a_filter_removes_content_length(self):
        # A filter that means to change a body's length removes
        # content-length; the proxy must then frame the body itself rather
        # than trust the client's length.
        upstream = self.start_upstream("up")
        port = free_port()
        filters = ("    filters:\n      - name: strip\n        module: headers\n"
                   "        config: { request: { remove: [content-length] } }\n")
        self.start_proxy(simple_config(port, upstream.port, filters=filters), port)
        body = os.urandom(100_000)
        response = exchange(port, "POST", "/echo", body=body)
        self.assertEqual(response.status, 200)
        echo = response.json()
        self.assertEqual(echo_header_values(echo, "transfer-encoding"), ["chunked"])
        self.assertEqual(echo_header_values(echo, "content-length"), [])
        self.assertEqual(echo["body_length"], len(body))
        self.assertEqual(echo["body_sha256"], hashlib.sha256(body).hexdigest())


if __name__ == "__main__":
    main()
