"""A moto server in its own process that counts every AWS call by service and operation and, on demand,
refuses a fraction of them the way AWS does when it throttles:

- S3: ``503 SlowDown`` (XML body), for every S3 request: the server's boto3 calls and the SDK's
  presigned PUTs alike, since both reach the same endpoint;
- DynamoDB: ``400 ProvisionedThroughputExceededException`` and ``400 ThrottlingException``, alternately.

SQS and everything else pass through untouched. The refused request's body is read first, so the client
sees an answer, not a reset connection.

    python -m tests.aws_faults PORT            # serves on 127.0.0.1:PORT until killed

Control, on the same port (never faulted, never counted):
    POST /_faults?rate=0.1&seed=1   set the fault rate (0 turns faults off)
    GET  /_faults                   {"rate", "calls": {"s3:PutObject(presigned)": n, ...}, "faults": {...}}
    POST /_faults/reset             zero the counters

Used by tests/e2e/test_faults_at_scale.py and benchmarks/scale.py (AWS calls per run-minute).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode
from urllib.request import Request, urlopen

__all__ = ["FaultInjector", "FaultyMoto", "faulty_moto", "operation_of"]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]

_SLOWDOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message><RequestId>faults</RequestId></Error>"
)
_DYNAMO_THROTTLES = (
    "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "com.amazon.coral.availability#ThrottlingException",
)


def operation_of(environ: Environ) -> tuple[str, str]:
    """(service, operation) of one request, from the headers and the URL alone."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[1]
    if target.startswith("AmazonSQS."):
        return "sqs", target.split(".", 1)[1]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "Action" in query:  # the query protocol (SQS, STS...)
        return "other", query["Action"][0]
    method = environ["REQUEST_METHOD"]
    presigned = " (presigned)" if "X-Amz-Signature" in query else ""
    if method == "PUT":
        if "partNumber" in query:
            op = "UploadPart"
        elif environ.get("HTTP_X_AMZ_COPY_SOURCE"):
            op = "CopyObject"
        elif environ.get("PATH_INFO", "/").strip("/").count("/") == 0:
            op = "CreateBucket"
        else:
            op = "PutObject"
    elif method == "POST":
        op = "CreateMultipartUpload" if "uploads" in query else "CompleteMultipartUpload"
        if "delete" in query:
            op = "DeleteObjects"
    elif method == "GET":
        op = (
            "ListObjectsV2"
            if "list-type" in query or environ.get("PATH_INFO", "/").strip("/").count("/") == 0
            else "GetObject"
        )
    elif method == "HEAD":
        op = "HeadObject"
    elif method == "DELETE":
        op = "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    else:
        op = method
    return "s3", op + presigned


class FaultInjector:
    """WSGI middleware in front of moto's app: counts calls, refuses a fraction with AWS's throttles."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.rate = 0.0
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self._dynamo_turn = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_faults"):
            return self._control(environ, start_response)
        service, op = operation_of(environ)
        name = f"{service}:{op}"
        with self._lock:
            self.calls[name] += 1
            fault = service in ("s3", "dynamodb") and self._rng.random() < self.rate
            if fault:
                self.faults[name] += 1
                self._dynamo_turn += 1
                turn = self._dynamo_turn
        if not fault:
            return self.app(environ, start_response)
        _drain(environ)
        if service == "s3":
            start_response(
                "503 Slow Down",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(_SLOWDOWN)))],
            )
            return [_SLOWDOWN]
        kind = _DYNAMO_THROTTLES[turn % 2]
        body = json.dumps(
            {"__type": kind, "message": "Rate of requests exceeds the allowed throughput."}
        ).encode()
        start_response(
            "400 Bad Request",
            [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def _control(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        with self._lock:
            if environ["REQUEST_METHOD"] == "POST":
                if environ["PATH_INFO"].rstrip("/") == "/_faults/reset":
                    self.calls.clear()
                    self.faults.clear()
                if "rate" in query:
                    self.rate = float(query["rate"][0])
                if "seed" in query:
                    self._rng = random.Random(int(query["seed"][0]))
            body = json.dumps(
                {"rate": self.rate, "calls": dict(self.calls), "faults": dict(self.faults)}
            ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _drain(environ: Environ) -> None:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    while length > 0:
        block = stream.read(min(length, 1 << 16))
        if not block:
            break
        length -= len(block)


def serve(port: int) -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = FaultInjector(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"READY {port}", flush=True)
    server.serve_forever()


@dataclass
class FaultyMoto:
    """A running fault-injecting moto server: its endpoint, and its control routes."""

    endpoint: str
    process: subprocess.Popen[bytes]

    def _control(self, path: str, method: str, **params: Any) -> dict[str, Any]:
        url = f"{self.endpoint}/_faults{path}" + (f"?{urlencode(params)}" if params else "")
        with urlopen(Request(url, method=method), timeout=10) as answer:
            state: dict[str, Any] = json.loads(answer.read())
        return state

    def set_rate(self, rate: float, *, seed: int = 1) -> None:
        self._control("", "POST", rate=rate, seed=seed)

    def stats(self) -> dict[str, Any]:
        return self._control("", "GET")

    def reset(self) -> None:
        self._control("/reset", "POST")


@contextmanager
def faulty_moto() -> Iterator[FaultyMoto]:
    """Start the fault-injecting moto server (faults off) as a process; always stopped on exit."""
    from tests.conftest import REPO, free_port

    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "functions"), env.get("PYTHONPATH", "")])
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.aws_faults", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith(b"READY"):
            raise RuntimeError(f"the fault-injecting moto server did not start: {line!r}")
        yield FaultyMoto(f"http://127.0.0.1:{port}", process)
    finally:
        process.kill()
        process.wait(timeout=10)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
