"""No artefact ever holds a secret: seed known secrets, produce everything, grep everything."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import stat
from pathlib import Path

import pytest

from sestui.cli import main
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp
from tests.awsfixtures import build_account, reset_moto_server
from tests.tui.conftest import settle

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSEEDEDSECRET"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESEEDEDSESSIONTOKEN0123456789"


def smtp_password(secret: str, region: str) -> str:
    """The SES SMTP password derivation (version byte 4, region in the chain)."""

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    sig = sign(("AWS4" + secret).encode(), "11111111")
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        sig = sign(sig, part)
    return base64.b64encode(b"\x04" + sig).decode()


@pytest.mark.asyncio
async def test_no_artefact_contains_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    try:
        built = build_account(org="management", endpoint_url=endpoint)
        snap = tmp_path / "acct.json"
        artefacts: dict[str, str] = {}
        assert main(["snapshot", "--regions", "eu-west-1,us-east-1", "-o", str(snap)]) == 0
        assert stat.S_IMODE(snap.stat().st_mode) == 0o600
        artefacts["snapshot"] = snap.read_text()
        assert built.account_id in artefacts["snapshot"]
        for args in (
            [
                "check",
                "--snapshot",
                str(snap),
                "--user",
                "bob",
                "--region",
                "eu-west-1",
                "--from",
                "a@example.com",
                "--format",
                "json",
            ],
            [
                "check",
                "--snapshot",
                str(snap),
                "--user",
                "bob",
                "--region",
                "eu-west-1",
                "--from",
                "a@example.com",
                "-v",
            ],
            ["check", "--snapshot", str(snap), "--all", "--region", "eu-west-1"],
            [
                "explain",
                "--snapshot",
                str(snap),
                "554 Access denied: User `arn:aws:iam::"
                f"{built.account_id}:user/bob' is not authorized to perform `ses:SendRawEmail' on "
                f"resource `arn:aws:ses:eu-west-1:{built.account_id}:identity/example.com'",
            ],
            [
                "check",
                "--region",
                "eu-west-1",
                "--user",
                "bob",
                "--from",
                "a@example.com",
                "--regions",
                "eu-west-1",
            ],  # live, against the server
        ):
            main(args)
            out = capsys.readouterr()
            artefacts[" ".join(args[:3])] = out.out + out.err
        app = SestuiApp(SourceSpec(snapshot=str(snap)))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            artefacts["screenshot"] = app.export_screenshot()
        assert "bob" in artefacts["screenshot"]
    finally:
        reset_moto_server(endpoint)
        server.stop()
    secrets = {
        "secret key": SECRET,
        "session token": TOKEN,
        "SMTP password eu-west-1": smtp_password(SECRET, "eu-west-1"),
        "SMTP password us-east-1": smtp_password(SECRET, "us-east-1"),
    }
    for name, text in artefacts.items():
        for what, secret in secrets.items():
            assert secret not in text, f"{what} found in {name}"
            assert secret[:16] not in text, f"part of the {what} found in {name}"
