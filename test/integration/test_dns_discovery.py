"""STRICT_DNS clusters end to end: a tiny DNS server in the test answers
for one name from a table the test changes, and the proxy (two workers)
follows: traffic spreads over every address, a removed address gets no new
requests while its request in flight completes, an added one is picked up,
and SERVFAIL or silence keep the last good set. Before the first answer the
cluster has no host: 503 with flag UH. Active health checks follow the
discovered hosts, and GET /clusters lists the members at their addresses."""
import json
import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import IntegrationTestCase, access_log_yaml, exchange, free_port, main, wait_until, proxy_stats  # noqa: E402

NAME = "backend.switchyard.test"
TYPE_A = 1
TYPE_AAAA = 28
DEADLINE = 10.0


class TinyDnsServer:
    """UDP on 127.0.0.1: answers A and AAAA queries for the names in
    `records` (IPv4 and IPv6 addresses mixed) with `ttl`, an empty NOERROR
    for other types and names it knows, NXDOMAIN for the rest; or SERVFAIL
    for everything, or drops every query (`mode`)."""

    def __init__(self):
        self.records: dict[str, list[str]] = {}
        self.ttl = 1
        self.mode = "answer"  # "answer", "servfail" or "drop"
        self.queries = 0
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def set(self, name: str, addresses: list[str], mode: str = "answer") -> None:
        with self.lock:
            self.records[name] = list(addresses)
            self.mode = mode

    def set_mode(self, mode: str) -> None:
        with self.lock:
            self.mode = mode

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping:
            try:
                query, client = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            reply = self._reply(query)
            if reply is not None:
                self.sock.sendto(reply, client)

    def _reply(self, query: bytes) -> bytes | None:
        if len(query) < 12:
            return None
        query_id, flags, question_count = struct.unpack("!HHH", query[:6])
        if question_count != 1:
            return None
        labels, offset = [], 12
        while offset < len(query) and query[offset] != 0:
            length = query[offset]
            labels.append(query[offset + 1:offset + 1 + length].decode("ascii", "replace").lower())
            offset += 1 + length
        question_end = offset + 5  # the root label, QTYPE, QCLASS
        if question_end > len(query):
            return None
        question = query[12:question_end]
        (query_type,) = struct.unpack("!H", query[offset + 1:offset + 3])
        name = ".".join(labels)
        with self.lock:
            self.queries += 1
            mode, ttl, addresses = self.mode, self.ttl, self.records.get(name)
        if mode == "drop":
            return None
        recursion_desired = flags & 0x0100
        answers = []
        if mode == "servfail":
            rcode = 2
        elif addresses is None:
            rcode = 3  # NXDOMAIN
        else:
            rcode = 0
            family = {TYPE_A: socket.AF_INET, TYPE_AAAA: socket.AF_INET6}.get(query_type)
            answers = [socket.inet_pton(family, address) for address in addresses
                       if family is not None and (":" in address) == (family == socket.AF_INET6)]
        header = struct.pack("!HHHHHH", query_id, 0x8080 | recursion_desired | rcode, 1, len(answers), 0, 0)
        records = b"".join(struct.pack("!HHHIH", 0xC00C, query_type, 1, ttl, len(packed)) + packed
                           for packed in answers)
        return header + question + records


def dns_config(listener_port: int, admin_port: int, upstream_port: int, dns_port: int,
               cluster_extra: str = "", access_log: str = "") -> str:
    return f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
{access_log_yaml(access_log) if access_log else ""}    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    type: STRICT_DNS
    connect_timeout: 1s
    dns_refresh_rate: 1s
    dns_resolvers: ["127.0.0.1:{dns_port}"]
{cluster_extra}
    endpoints:
      - {{ address: {NAME}, port: {upstream_port} }}
admin:
  address: 127.0.0.1
  port: {admin_port}
"""


class DnsDiscoveryTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dns = TinyDnsServer()
        self.addCleanup(self.dns.stop)
        self.port = free_port()
        self.admin_port = free_port()
        self.access_log = os.path.join(self.workdir, "access.log")

    def start_upstreams(self, count: int) -> list:
        """Upstreams on 127.0.0.1, 127.0.0.2, ... all on one port: a DNS
        endpoint's port applies to every address its name resolves to."""
        first = self.start_upstream("up1", 0, "127.0.0.1")
        return [first] + [self.start_upstream(f"up{i}", first.port, f"127.0.0.{i}") for i in range(2, count + 1)]

    def serve(self, upstream_port: int, cluster_extra: str = "") -> None:
        self.proxy = self.start_proxy(
            dns_config(self.port, self.admin_port, upstream_port, self.dns.port, cluster_extra, self.access_log),
            self.port, concurrency=2)

    def hosts_report(self) -> dict[str, str]:
        """GET /clusters: each listed host's health, by address."""
        response = exchange(self.admin_port, "GET", "/clusters?format=json")
        self.assertEqual(response.status, 200, response.body)
        hosts = json.loads(response.body)["clusters"][0]["hosts"]
        return {host["address"]: host["health"] for host in hosts}

    def stat(self, name: str) -> int:
        return proxy_stats(self.admin_port).get(name, 0)

    def wait_for_stat(self, name: str, predicate, what: str) -> None:
        if not wait_until(lambda: predicate(self.stat(name)), DEADLINE, interval=0.05):
            self.fail(f"{what}: {name} is {self.stat(name)} after {DEADLINE}s")

    def served_by(self, count: int) -> set[str]:
        """The upstreams that answered `count` requests, each on a fresh
        connection, so both workers take some."""
        names = set()
        for _ in range(count):
            response = exchange(self.port, path="/echo")
            self.assertEqual(response.status, 200, response.body[:200])
            names.add(response.header("x-upstream-name"))
        return names

    def test_membership_follows_the_answers_and_survives_failures(self):
        up1, up2, up3 = self.start_upstreams(3)
        self.dns.set(NAME, ["127.0.0.1", "127.0.0.2"])
        self.serve(up1.port)
        self.wait_for_stat("cluster.backend.dns_hosts", lambda hosts: hosts == 2, "first answer")
        self.assertEqual(self.served_by(20), {"up1", "up2"})

        # A request in flight on up2 when up2 leaves the answer. The delay
        # leaves room for one refresh (TTL 1s) on a loaded machine.
        long_requests = []

        def long_request():
            long_requests.append(exchange(self.port, path="/delay/3000", timeout=10.0))

        threads = [threading.Thread(target=long_request) for _ in range(4)]
        for thread in threads:
            thread.start()
        self.assertTrue(wait_until(lambda: up2.stats()["requests_in_flight"] >= 1, DEADLINE),
                        "no long request reached up2")
        removed_before = self.stat("cluster.backend.dns_hosts_removed")
        self.dns.set(NAME, ["127.0.0.1"])
        self.wait_for_stat("cluster.backend.dns_hosts_removed", lambda removed: removed > removed_before,
                           "removal of 127.0.0.2")
        self.assertGreaterEqual(up2.stats()["requests_in_flight"], 1, "the long request on up2 ended early")
        self.assertEqual(self.served_by(12), {"up1"})
        for thread in threads:
            thread.join(timeout=DEADLINE)
        self.assertEqual(len(long_requests), 4)
        self.assertEqual([response.status for response in long_requests], [200] * 4)
        self.assertIn("up2", {response.header("x-upstream-name") for response in long_requests})
        # Nothing keeps idle connections to the host that left.
        self.assertTrue(wait_until(lambda: up2.stats()["connections_open"] == 0, DEADLINE),
                        f"up2 still has connections: {up2.stats()}")

        added_before = self.stat("cluster.backend.dns_hosts_added")
        self.dns.set(NAME, ["127.0.0.1", "127.0.0.3"])
        self.wait_for_stat("cluster.backend.dns_hosts_added", lambda added: added > added_before,
                           "addition of 127.0.0.3")
        self.assertEqual(self.served_by(20), {"up1", "up3"})

        # SERVFAIL, then silence: the last good set keeps serving.
        failures_before = self.stat("cluster.backend.dns_failures")
        self.dns.set_mode("servfail")
        self.wait_for_stat("cluster.backend.dns_failures", lambda failures: failures > failures_before,
                           "a SERVFAIL counted")
        self.assertEqual(self.served_by(20), {"up1", "up3"})
        failures_before = self.stat("cluster.backend.dns_failures")
        self.dns.set_mode("drop")
        self.wait_for_stat("cluster.backend.dns_failures", lambda failures: failures > failures_before,
                           "a timed-out lookup counted")
        self.assertEqual(self.served_by(20), {"up1", "up3"})
        self.assertEqual(self.stat("cluster.backend.dns_hosts"), 2)
        self.assertEqual(self.proxy.read_log().count(f"DNS lookup of {NAME} failed"), 1,
                         "one warning per failure streak")

    def test_no_host_before_the_first_answer_is_503_uh(self):
        (up1,) = self.start_upstreams(1)
        self.dns.set(NAME, [], mode="servfail")
        self.serve(up1.port)
        self.wait_for_stat("cluster.backend.dns_failures", lambda failures: failures >= 1, "a failed lookup")
        response = exchange(self.port, path="/echo")
        self.assertEqual(response.status, 503)
        self.assertIn(b"no healthy upstream", response.body)
        self.assertAccessLoggedSoon(self.access_log, "flags=UH")
        self.dns.set(NAME, ["127.0.0.1"])
        self.wait_for_stat("cluster.backend.dns_hosts", lambda hosts: hosts == 1, "the first good answer")
        self.assertEqual(self.served_by(4), {"up1"})

    def test_dns_lookup_family_chooses_ipv4_ipv6_or_both(self):
        up4 = self.start_upstream("v4", 0, "127.0.0.1")
        up6 = self.start_upstream("v6", up4.port, "::1")
        self.dns.set(NAME, ["127.0.0.1", "::1"])
        expected = {"V4_PREFERRED": ({"v4"}, {f"127.0.0.1:{up4.port}"}),
                    "V6_ONLY": ({"v6"}, {f"[::1]:{up4.port}"}),
                    "AUTO": ({"v6"}, {f"[::1]:{up4.port}"}),
                    "ALL": ({"v4", "v6"}, {f"127.0.0.1:{up4.port}", f"[::1]:{up4.port}"})}
        for family, (upstreams, hosts) in expected.items():
            with self.subTest(family=family):
                self.serve(up4.port, f"    dns_lookup_family: {family}")
                self.wait_for_stat("cluster.backend.dns_hosts", lambda count: count == len(hosts), "the answer")
                self.assertEqual(set(self.hosts_report()), hosts)
                self.assertEqual(self.served_by(12), upstreams)
                self.proxy.stop()
        # A name with only an IPv6 address still has hosts by default.
        self.dns.set(NAME, ["::1"])
        self.serve(up4.port)
        self.wait_for_stat("cluster.backend.dns_hosts", lambda count: count == 1, "the IPv6-only answer")
        self.assertEqual(self.served_by(4), {"v6"})

    def test_health_checks_follow_the_discovered_hosts(self):
        up1, up2 = self.start_upstreams(2)
        port = up1.port
        # 127.0.0.3 answers DNS but nothing listens there: its checks fail.
        self.dns.set(NAME, ["127.0.0.1", "127.0.0.3"])
        self.serve(port, """    health_check:
      interval: 0.2s
      timeout: 0.5s
      unhealthy_threshold: 1
      healthy_threshold: 1
      tcp_health_check: {}""")
        down = f"127.0.0.3:{port}"
        if not wait_until(lambda: self.hosts_report().get(down) == "failed_active_check", DEADLINE):
            self.fail(f"127.0.0.3 not failing its check: {self.hosts_report()}")
        self.assertEqual(self.served_by(12), {"up1"})

        # 127.0.0.3 leaves for 127.0.0.4, down too: checks go to the new
        # address, and the report lists the members only.
        self.dns.set(NAME, ["127.0.0.1", "127.0.0.4"])
        expected = {f"127.0.0.1:{port}": "healthy", f"127.0.0.4:{port}": "failed_active_check"}
        if not wait_until(lambda: self.hosts_report() == expected, DEADLINE):
            self.fail(f"hosts after 127.0.0.4 came: {self.hosts_report()}")
        self.assertEqual(self.served_by(12), {"up1"})

        # 127.0.0.4 leaves for 127.0.0.2, which is up: whichever slot it
        # takes (maybe one a failing host left), it starts healthy and stays.
        self.dns.set(NAME, ["127.0.0.1", "127.0.0.2"])
        expected = {f"127.0.0.1:{port}": "healthy", f"127.0.0.2:{port}": "healthy"}
        if not wait_until(lambda: self.hosts_report() == expected, DEADLINE):
            self.fail(f"hosts after 127.0.0.2 came: {self.hosts_report()}")
        self.assertEqual(self.served_by(20), {"up1", "up2"})
        self.assertEqual(self.hosts_report(), expected)

if __name__ == "__main__":
    main()
