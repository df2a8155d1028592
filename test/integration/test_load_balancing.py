"""Load-balancing policies end to end: the real proxy in front of several
real test upstreams, each counting the requests it served. LEAST_REQUEST
steers concurrent traffic away from a slow host; RANDOM spreads sequential
traffic by weight; ROUND_ROBIN (the default) keeps its exact smooth order;
RING_HASH and MAGLEV send every request with the same hash header value to
the same host, whichever worker takes it."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import IntegrationTestCase, RawClient, free_port, main, request_bytes  # noqa: E402


def balanced_config(listener_port: int, lb_policy: str | None, endpoints: list[tuple[int, int]],
                    route_extra: str = "") -> str:
    """One listener, every path to one cluster of (port, weight) endpoints;
    `route_extra` goes into the route's action (e.g. a hash_policy)."""
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
            route: {{ cluster: backend{route_extra} }}
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


class HashBalancingTest(IntegrationTestCase):
    """Three upstreams behind a RING_HASH or MAGLEV cluster hashing on
    x-user, served by two workers. Each request opens its own connection,
    and the kernel hashes each connection's addresses to one of the two
    workers' SO_REUSEPORT listeners, so the 120 requests land on both (all on
    one: a chance of 2^-119); stickiness must hold across workers, each with
    its own balancer and table."""

    USERS = [f"user-{number}" for number in range(30)]
    ROUNDS = 4

    def check_sticky_and_spread(self, lb_policy: str) -> None:
        upstreams = [self.start_upstream(name) for name in ("a", "b", "c")]
        port = free_port()
        config = balanced_config(port, lb_policy, [(upstream.port, 1) for upstream in upstreams],
                                 route_extra=", hash_policy: [{ header: { header_name: x-user } }]")
        self.start_proxy(config, port, concurrency=2)
        served_by: dict[str, set[str]] = {user: set() for user in self.USERS}
        for _ in range(self.ROUNDS):
            for user in self.USERS:
                with RawClient(port) as client:
                    client.send(request_bytes("GET", "/echo", headers=[("x-user", user)]))
                    response = client.read_response()
                self.assertEqual(response.status, 200, response.body[:200])
                served_by[user].add(response.header("x-upstream-name"))
        moved = {user: names for user, names in served_by.items() if len(names) != 1}
        self.assertEqual(moved, {}, "users served by more than one upstream")
        # 30 users over three equal hosts: each host gets some (the chance
        # that one gets none is (2/3)^30, about 5 in a million).
        hosts_used = {next(iter(names)) for names in served_by.values()}
        self.assertEqual(hosts_used, {"a", "b", "c"})
        self.assertEqual(sum(upstream.stats()["requests"] for upstream in upstreams),
                         self.ROUNDS * len(self.USERS))

    def test_ring_hash_keeps_each_header_value_on_one_upstream(self):
        self.check_sticky_and_spread("RING_HASH")

    def test_maglev_keeps_each_header_value_on_one_upstream(self):
        self.check_sticky_and_spread("MAGLEV")

    def test_requests_without_the_header_are_spread(self):
        upstreams = [self.start_upstream(name) for name in ("a", "b", "c")]
        port = free_port()
        config = balanced_config(port, "MAGLEV", [(upstream.port, 1) for upstream in upstreams],
                                 route_extra=", hash_policy: [{ header: { header_name: x-user } }]")
        self.start_proxy(config, port, concurrency=1)
        names = set()
        with RawClient(port) as client:
            for _ in range(60):
                client.send(request_bytes("GET", "/echo"))
                response = client.read_response()
                self.assertEqual(response.status, 200, response.body[:200])
                names.add(response.header("x-upstream-name"))
        # Random picks: each host misses all 60 with chance (2/3)^60.
        self.assertEqual(names, {"a", "b", "c"})


if __name__ == "__main__":
    main()
