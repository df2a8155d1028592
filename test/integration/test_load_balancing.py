"""Load-balancing policies end to end: the real proxy in front of several
real test upstreams, each counting the requests it served. LEAST_REQUEST
steers concurrent traffic away from a slow host; RANDOM spreads sequential
traffic by weight; ROUND_ROBIN (the default) keeps its exact smooth order."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import IntegrationTestCase, RawClient, free_port, main, request_bytes  # noqa: E402


def balanced_config(listener_port: int, lb_policy: str | None, endpoints: list[tuple[int, int]]) -> str:
    """One listener, every path to one cluster of (port, weight) endpoints."""
    policy_line = f"    lb_policy: {lb_policy}\n" if lb_policy else ""
    endpoint_lines = "".join(f"      - {{ address: 127.0.0.1, port: {port}, weight: {weight} }}\n"
                             for port, weight in endpoints)
    return f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    connect_timeout: 1s
{policy_line}    endpoints:
{endpoint_lines}"""


class LoadBalancingTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()

    def serve(self, lb_policy: str | None, endpoints: list[tuple[int, int]]) -> None:
        # One worker: every request shares one balancer and one set of counts.
        self.start_proxy(balanced_config(self.port, lb_policy, endpoints), self.port, concurrency=1)

    def sequential_requests(self, count: int, path: str = "/echo") -> list[str]:
        """`count` requests one after another on one keep-alive connection;
        the x-upstream-name of each response, in order."""
        names = []
        with RawClient(self.port) as client:
            for _ in range(count):
                client.send(request_bytes("GET", path))
                response = client.read_response()
                self.assertEqual(response.status, 200, response.body[:200])
                names.append(response.header("x-upstream-name"))
        return names

    def test_least_request_sends_most_concurrent_requests_to_the_fast_host(self):
        fast = self.start_upstream("fast")
        slow = self.start_upstream("slow")
        self.serve("LEAST_REQUEST", [(slow.port, 1), (fast.port, 1)])
        # Every request asks for a 500 ms delay that only the upstream named
        # "slow" applies. Eight clients keep requests in flight, so the slow
        # host always holds some while the fast one answers at once: least
        # request sees that and sends nearly everything to the fast host.
        # Round robin or random would give the slow host half of them.
        total, clients = 200, 8
        lock = threading.Lock()
        sent = 0
        failures = []

        def client_loop() -> None:
            nonlocal sent
            try:
                with RawClient(self.port, timeout=10) as client:
                    while True:
                        with lock:
                            if sent == total:
                                return
                            sent += 1
                        client.send(request_bytes("GET", "/slow-on/slow/500"))
                        response = client.read_response()
                        if response.status != 200:
                            raise AssertionError(f"status {response.status}: {response.body[:200]!r}")
            except Exception as error:  # reported by the main thread
                failures.append(error)

        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertFalse(any(thread.is_alive() for thread in threads), "clients still running after 30 s")
        self.assertEqual(failures, [])

        # Every response has been read, so the upstreams' counts are final.
        fast_count, slow_count = fast.stats()["requests"], slow.stats()["requests"]
        self.assertEqual(fast_count + slow_count, total)
        self.assertGreater(fast_count, 0.75 * total, f"fast {fast_count}, slow {slow_count}")

    def test_random_spreads_requests_by_weight(self):
        heavy = self.start_upstream("heavy")
        light = self.start_upstream("light")
        self.serve("RANDOM", [(heavy.port, 3), (light.port, 1)])
        total = 400
        self.sequential_requests(total)
        heavy_count, light_count = heavy.stats()["requests"], light.stats()["requests"]
        self.assertEqual(heavy_count + light_count, total)
        # Expected 300 and 100; the binomial standard deviation is 8.7, so
        # a tolerance of 50 (nearly six of them) never fails by chance.
        self.assertAlmostEqual(heavy_count, 300, delta=50)
        self.assertAlmostEqual(light_count, 100, delta=50)

    def test_round_robin_is_the_default_and_keeps_its_smooth_weighted_order(self):
        for lb_policy in (None, "ROUND_ROBIN"):
            with self.subTest(lb_policy=lb_policy or "(default)"):
                self.port = free_port()
                heavy = self.start_upstream("heavy")
                light = self.start_upstream("light")
                self.serve(lb_policy, [(heavy.port, 3), (light.port, 1)])
                names = self.sequential_requests(40)
                # Weights 3:1 interleave as a,a,b,a rather than a,a,a,b.
                self.assertEqual(names, ["heavy", "heavy", "light", "heavy"] * 10)
                self.assertEqual(heavy.stats()["requests"], 30)
                self.assertEqual(light.stats()["requests"], 10)


if __name__ == "__main__":
    main()
