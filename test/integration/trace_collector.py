"""A trace collector for the tracing tests: an HTTP server in the test
process that takes OTLP/HTTP protobuf POSTs (/v1/traces) and Zipkin v2 JSON
POSTs (/api/v2/spans), records every body, and turns both into one span
shape. OTLP bodies are decoded by protoc itself (`protoc --decode` against
modules/tracing/proto/otlp_trace.proto), not by code of ours; Zipkin bodies
are checked against the v2 schema's required fields and types.

`hang=True` makes it accept every request and never answer: a collector
that is up but stuck."""
from __future__ import annotations

import codecs
import http.server
import json
import os
import re
import subprocess
import threading

PROTO_DIR = os.path.join(os.environ.get("SWITCHYARD_SOURCE_ROOT", ""), "modules", "tracing", "proto")
EXPORT_REQUEST = "switchyard.tracing.otlp.ExportTraceServiceRequest"

HEX_32 = re.compile(r"^[0-9a-f]{32}$")
HEX_16 = re.compile(r"^[0-9a-f]{16}$")


class SchemaError(AssertionError):
    pass


def protoc_decode(body: bytes) -> str:
    """The export request as protobuf text format, by protoc."""
    result = subprocess.run(["protoc", f"--proto_path={PROTO_DIR}", f"--decode={EXPORT_REQUEST}",
                             "otlp_trace.proto"], input=body, capture_output=True, timeout=30)
    if result.returncode != 0:
        raise SchemaError(f"protoc could not decode an OTLP body: {result.stderr.decode()}")
    return result.stdout.decode("latin-1")


def parse_text_format(text: str) -> dict:
    """Protobuf text format (as protoc prints it) into nested dicts whose
    values are lists: {"resource_spans": [{"scope_spans": [...]}]}."""
    root: dict = {}
    stack = [root]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
        elif line.endswith("{"):
            child: dict = {}
            stack[-1].setdefault(line[:-1].strip(), []).append(child)
            stack.append(child)
        else:
            key, _, value = line.partition(": ")
            if value.startswith('"'):
                value = codecs.escape_decode(value[1:-1].encode("latin-1"))[0]
            stack[-1].setdefault(key, []).append(value)
    return root


def otlp_spans(body: bytes) -> list[dict]:
    """The spans of an OTLP export body, in the collector's common shape."""
    decoded = parse_text_format(protoc_decode(body))
    spans = []
    for resource_spans in decoded.get("resource_spans", []):
        attributes = resource_spans["resource"][0].get("attributes", [])
        service = next(a["value"][0]["string_value"][0].decode() for a in attributes
                       if a["key"][0] == b"service.name")
        for scope_spans in resource_spans.get("scope_spans", []):
            for span in scope_spans.get("spans", []):
                tags = {}
                for attribute in span.get("attributes", []):
                    value = attribute["value"][0]
                    tags[attribute["key"][0].decode()] = (value["string_value"][0].decode()
                                                         if "string_value" in value else int(value["int_value"][0]))
                trace_id = span["trace_id"][0]
                span_id = span["span_id"][0]
                if len(trace_id) != 16 or len(span_id) != 8:
                    raise SchemaError(f"OTLP ids of the wrong size: {trace_id!r} {span_id!r}")
                parent = span.get("parent_span_id", [b""])[0]
                start = int(span["start_time_unix_nano"][0])
                end = int(span["end_time_unix_nano"][0])
                if end < start:
                    raise SchemaError(f"span ends before it starts: {span}")
                spans.append({
                    "format": "otlp", "service": service, "trace_id": trace_id.hex(), "id": span_id.hex(),
                    "parent_id": parent.hex() if parent else None, "name": span["name"][0].decode(),
                    "kind": {"SPAN_KIND_SERVER": "SERVER", "SPAN_KIND_CLIENT": "CLIENT"}[span["kind"][0]],
                    "start_us": start // 1000, "duration_us": (end - start) // 1000, "tags": tags,
                    "error": span.get("status", [{}])[0].get("code", [""])[0] == "STATUS_CODE_ERROR"})
    return spans


def zipkin_spans(body: bytes) -> list[dict]:
    """The spans of a Zipkin v2 body, after checking each against the
    schema: the required traceId and id, and the types of what is there."""
    document = json.loads(body)
    if not isinstance(document, list):
        raise SchemaError("a Zipkin v2 body is a JSON array of spans")
    spans = []
    for span in document:
        if not isinstance(span.get("traceId"), str) or not (HEX_32.match(span["traceId"])
                                                           or HEX_16.match(span["traceId"])):
            raise SchemaError(f"traceId must be 16 or 32 lower-hex characters: {span}")
        if not isinstance(span.get("id"), str) or not HEX_16.match(span["id"]):
            raise SchemaError(f"id must be 16 lower-hex characters: {span}")
        if "parentId" in span and not (isinstance(span["parentId"], str) and HEX_16.match(span["parentId"])):
            raise SchemaError(f"parentId must be 16 lower-hex characters: {span}")
        if span.get("kind") not in ("CLIENT", "SERVER", "PRODUCER", "CONSUMER"):
            raise SchemaError(f"kind: {span.get('kind')!r}")
        for field in ("timestamp", "duration"):
            if not isinstance(span.get(field), int) or span[field] < 1:
                raise SchemaError(f"{field} must be a positive integer of microseconds: {span}")
        if not isinstance(span.get("name"), str):
            raise SchemaError(f"name must be a string: {span}")
        local = span.get("localEndpoint")
        if not isinstance(local, dict) or not isinstance(local.get("serviceName"), str):
            raise SchemaError(f"localEndpoint.serviceName: {span}")
        remote = span.get("remoteEndpoint")
        if remote is not None and not (isinstance(remote, dict) and isinstance(remote.get("port", 0), int)):
            raise SchemaError(f"remoteEndpoint: {span}")
        tags = span.get("tags", {})
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise SchemaError(f"tags must map strings to strings: {span}")
        spans.append({
            "format": "zipkin", "service": local["serviceName"], "trace_id": span["traceId"], "id": span["id"],
            "parent_id": span.get("parentId"), "name": span["name"], "kind": span["kind"],
            "start_us": span["timestamp"], "duration_us": span["duration"], "tags": tags,
            "remote": remote, "error": tags.get("error") == "true"})
    return spans


class TraceCollector:
    def __init__(self, hang: bool = False):
        self.hang = hang
        self.bodies: list[tuple[str, str, bytes]] = []  # (path, content-type, body)
        self.spans: list[dict] = []
        self.problems: list[str] = []
        self.requests_seen = 0
        self._changed = threading.Condition()
        self._release = threading.Event()
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with collector._changed:
                    collector.requests_seen += 1
                    collector._changed.notify_all()
                if collector.hang:
                    collector._release.wait()
                    return
                collector.record(self.path, self.headers.get("content-type", ""), body)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, path: str, content_type: str, body: bytes) -> None:
        try:
            if path == "/v1/traces":
                if content_type != "application/x-protobuf":
                    raise SchemaError(f"OTLP content-type {content_type!r}")
                spans = otlp_spans(body)
            elif path == "/api/v2/spans":
                if content_type != "application/json":
                    raise SchemaError(f"Zipkin content-type {content_type!r}")
                spans = zipkin_spans(body)
            else:
                raise SchemaError(f"POST to unexpected path {path}")
        except Exception as error:  # recorded for the test to fail on
            spans = []
            with self._changed:
                self.problems.append(f"{path}: {error!r}")
        with self._changed:
            self.bodies.append((path, content_type, body))
            self.spans.extend(spans)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Waits until predicate(self) holds (checked on every arrival)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self) or bool(self.problems), timeout)

    def wait_for_spans(self, count: int, timeout: float = 10.0, **match) -> list[dict]:
        """Waits for `count` spans whose fields equal `match`; returns them."""
        def matching(collector) -> list[dict]:
            return [s for s in collector.spans if all(s.get(k) == v for k, v in match.items())]
        self.wait_for(lambda collector: len(matching(collector)) >= count, timeout)
        if self.problems:
            raise SchemaError("; ".join(self.problems))
        found = matching(self)
        if len(found) < count:
            raise AssertionError(f"{len(found)} of {count} spans matching {match} arrived: {self.spans}")
        return found

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
