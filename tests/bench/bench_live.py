"""Live reads against moto_server with 50 ms added to every call (a botocore hook).

    python -m tests.bench.bench_live [--identities 4] [--latency 0.05]

Starts `moto_server` on 127.0.0.1, creates identities in 17 regions, and reads the account with
the regions spread over 12 threads and then one after another; prints both times, their ratio
(target: concurrent <= 1/4 of sequential) and the API calls made. Then it doubles the identities,
and separately the users, to show the calls grow with identities, never users x identities.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from tests.bench.generate import REGIONS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str) -> None:
    req = urllib.request.Request(
        url, data=b"", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(req, timeout=30).close()


def _populate(endpoint: str, identities: int, users: int) -> None:
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    for i in range(users):
        iam.create_user(UserName=f"user-{i}")
        iam.put_user_policy(
            UserName=f"user-{i}",
            PolicyName="send",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}],
                }
            ),
        )
    for region in REGIONS:
        ses = boto3.client("sesv2", endpoint_url=endpoint, region_name=region)
        for k in range(identities):
            ses.create_email_identity(EmailIdentity=f"d{k}.{region}.example.com")


def _read(workers: int, latency: float) -> tuple[float, int, dict[str, int]]:
    session = AwsSession(region="us-east-1")
    per_service: dict[str, int] = {}

    def slow(model: Any = None, **_: Any) -> None:
        name = getattr(getattr(model, "service_model", None), "service_name", "?")
        per_service[name] = per_service.get(name, 0) + 1
        time.sleep(latency)

    session.add_hook("before-call.*.*", slow)
    t0 = time.perf_counter()
    read_account(session, regions=list(REGIONS), workers=workers)
    return time.perf_counter() - t0, session.calls, per_service


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto_server on a free local port, with the environment pointing boto3 at it (test
    credentials); its endpoint. Stopped and the environment restored on the way out."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--identities", type=int, default=4, help="per region")
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.05)
    a = ap.parse_args(argv)
    with moto_server() as endpoint:
        _populate(endpoint, a.identities, a.users)
        conc, calls, per = _read(12, a.latency)
        seq, calls_seq, _ = _read(1, a.latency)
        print(
            f"5. live read, {len(REGIONS)} regions x {a.identities} identities, {a.users} users, "
            f"+{a.latency * 1e3:.0f} ms per call: concurrent {conc:.2f} s, sequential "
            f"{seq:.2f} s = {conc / seq:.2f} (target <= 0.25); {calls} calls ({per})"
        )
        assert calls == calls_seq
        _post(f"{endpoint}/moto-api/reset")
        _populate(endpoint, a.identities * 2, a.users)
        _, calls_2i, per_2i = _read(12, 0)
        _post(f"{endpoint}/moto-api/reset")
        _populate(endpoint, a.identities, a.users * 2)
        _, calls_2u, per_2u = _read(12, 0)
        print(
            f"   calls: {calls} -> {calls_2i} with twice the identities (sesv2 {per['sesv2']} -> "
            f"{per_2i['sesv2']}); -> {calls_2u} with twice the users (sesv2 "
            f"{per_2u['sesv2']}, iam {per['iam']} -> {per_2u['iam']})"
        )


if __name__ == "__main__":
    main()
