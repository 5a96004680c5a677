"""Every failure of a live read is a located message and exit 2, in the CLI and the TUI.

Real botocore sessions against real broken setups: an unknown profile, a config file that is not
INI, a credential_process that fails loudly, partial credentials, endpoints that are closed,
malformed or answer garbage, and --regions values that name no SES region.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sestui.cli import main
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp
from tests.tui.conftest import settle

CHECK = ["check", "--user", "bob", "--region", "eu-west-1", "--from", "a@example.com"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def config(aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    return path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens


@pytest.fixture
def garbage_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    reply = {"body": b"", "status": b"200"}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(int(reply["status"]))
            self.send_header("Content-Length", str(len(reply["body"])))
            self.end_headers()
            self.wfile.write(reply["body"])

        do_GET = do_POST

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", reply
    finally:
        server.shutdown()
        server.server_close()


def test_an_unknown_profile(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("[profile real]\nregion = eu-west-1\n")
    for argv in ([*CHECK, "--profile", "typo"], ["snapshot", "--profile", "typo", "-o", "x"]):
        code, err = run(argv, capsys)
        assert code == 2
        assert "AWS profile 'typo' not found" in err
    code, err = run(["snapshot", "--org-profile", "typo-org", "-o", "x"], capsys)
    assert code == 2 and "AWS profile 'typo-org' not found" in err


def test_a_config_file_that_is_not_ini(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("this is [not an ini file\n= = =\n")
    code, err = run(CHECK, capsys)
    assert code == 2
    assert f"cannot read the AWS config file {config}" in err


def test_a_failing_credential_process_is_summed_up_not_echoed(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    config.write_text(
        "[profile loud]\nregion = eu-west-1\n"
        "credential_process = sh -c 'yes LOUD-ERROR-LINE | head -n 5000 >&2; exit 3'\n"
    )
    for argv in ([*CHECK, "--profile", "loud"], ["snapshot", "--profile", "loud", "-o", "x"]):
        code, err = run(argv, capsys)
        assert code == 2
        assert "getting credentials for profile 'loud' failed" in err
        assert 1 <= err.count("LOUD-ERROR-LINE") <= 1


def test_partial_credentials_in_the_environment(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, err = run(["snapshot", "-o", "x"], capsys)
    assert code == 2
    assert "incomplete AWS credentials in env: AWS_SECRET_ACCESS_KEY is missing" in err


def test_a_closed_endpoint(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    for argv in (CHECK, ["snapshot", "--regions", "eu-west-1", "-o", "x"]):
        code, err = run(argv, capsys)
        assert code == 2
        assert f"cannot connect to the AWS endpoint {url}/; check AWS_ENDPOINT_URL" in err


@pytest.mark.parametrize("url", ["ht!tp:/[nope", "http://[::1"])
def test_a_malformed_endpoint_url(
    url: str, aws_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    code, err = run(["snapshot", "-o", "x"], capsys)
    assert code == 2
    assert "endpoint URL is not a valid URL" in err and f"check AWS_ENDPOINT_URL ({url})" in err


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (b"200", b"", "the endpoint's reply is not an AWS reply (unparsable)"),
        (b"200", b"<<<garbage>>> not xml \x00\xff", "not an AWS reply (unparsable)"),
        (
            b"200",
            b"<GetCallerIdentityResponse></GetCallerIdentityResponse>",
            "an AWS reply lacked what it always holds",
        ),
        (b"500", b"\xff\xfe garbage", "not an AWS reply (unparsable)"),
        (b"403", b"<html>denied</html>", "HTTP 403 without an AWS error"),
    ],
)
def test_an_endpoint_that_answers_garbage(
    status: bytes,
    body: bytes,
    words: str,
    garbage_server: tuple[str, dict[str, bytes]],
    aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url, reply = garbage_server
    reply.update(status=status, body=body)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    out = tmp_path / "snap.json"
    code, err = run(["snapshot", "--regions", "eu-west-1", "-o", str(out)], capsys)
    assert code == 2
    assert words in err and "AWS_ENDPOINT_URL" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (",,", "--regions names no region"),
        ("eu west 1", "'eu west 1' is not a region where SES is offered"),
        ("eu-west-1,eu-wets-1", "'eu-wets-1' is not a region where SES is offered"),
    ],
)
def test_invalid_regions(
    regions: str, message: str, aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in ([*CHECK, "--regions", regions], ["snapshot", "--regions", regions, "-o", "x"]):
        code, err = run(argv, capsys)
        assert code == 2
        assert message in err


@pytest.mark.asyncio
@pytest.mark.usefixtures("aws_env")
async def test_the_tui_shows_the_same_message_in_its_load_failure_view(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    code, err = run(["snapshot", "--regions", "eu-west-1", "-o", "x"], capsys)
    assert code == 2
    cli_message = err.strip().splitlines()[-1].removeprefix("sestui snapshot: ")
    for spec, words in (
        (SourceSpec(profile="typo"), "AWS profile 'typo' not found"),
        (SourceSpec(regions=("eu-west-1",)), cli_message),
    ):
        app = SestuiApp(spec)
        async with app.run_test(size=(200, 36)) as pilot:
            await settle(pilot)
            assert app.account is None and app.is_running  # not the demo account in its place
            shown = str(app.query_one("#verdict").render())
            assert f"Cannot open {spec.describe()}: " in shown
            assert words in shown
