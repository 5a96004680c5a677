"""boto3 sessions and clients: created once, shared by the reader threads, guarded, counted."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.loaders import Loader, create_loader

from sestui.aws.errors import invalid_endpoint
from sestui.aws.guard import install_guard

RETRIES = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=10,
    read_timeout=30,
    max_pool_connections=32,
)
# For the first call of a read (sts:GetCallerIdentity): an endpoint that is not there is said so
# within seconds.
PROBE = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5)


_LOADERS: dict[str | None, Loader] = {}
_LOADERS_LOCK = threading.Lock()


def _shared_loader(data_path: str | None) -> Loader:
    """One botocore data loader per data path for the whole process.

    Each new boto3 session would otherwise parse the service models, endpoint rules and
    partitions again (about a quarter of a second of CPU per session): a reload in the TUI, a
    second snapshot read, every read of the test suite.
    """
    with _LOADERS_LOCK:
        loader = _LOADERS.get(data_path)
        if loader is None:
            loader = _LOADERS[data_path] = create_loader(data_path)
        return loader


def new_boto3_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """A boto3 session (standard credential chain or the profile) on the shared data loader."""
    core = botocore.session.get_session()
    # Lazily, like botocore's own: the data path may come from the profile boto3 sets first.
    core.lazy_register_component(
        "data_loader", lambda: _shared_loader(core.get_config_variable("data_path"))
    )
    session = boto3.Session(botocore_session=core, profile_name=profile, region_name=region)
    # boto3 adds its own data folder to the loader of each session it wraps: once is enough.
    loader = core.get_component("data_loader")
    with _LOADERS_LOCK:
        loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return session


class AwsSession:
    """One boto3 session (standard credential chain, or a named profile) and its clients.

    `AWS_ENDPOINT_URL` (e.g. a moto server) is honoured by botocore itself.
    """

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        config: Config | None = None,
        *,
        credentials: Mapping[str, Any] | None = None,
        base: AwsSession | None = None,
    ) -> None:
        self.profile = profile
        # An assumed role's session (see `assume`) signs with its own temporary credentials but
        # shares the boto3 session of `base`: its service models are loaded once, not once per
        # account (that costs about half a second of CPU per account and service set).
        self.session: boto3.Session = base.session if base else new_boto3_session(profile, region)
        self._credentials = dict(credentials) if credentials else None
        self.assumed_arn: str | None = None
        self._create_lock: threading.Lock = base._create_lock if base else threading.Lock()
        self.config = RETRIES.merge(config) if config else RETRIES
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()
        self.calls = 0
        self._hooks: list[Any] = []

    @property
    def default_region(self) -> str:
        return self.session.region_name or "us-east-1"

    def add_hook(self, event: str, handler: Any) -> None:
        """Register a botocore event handler on every client, present and future."""
        self._hooks.append((event, handler))
        for client in self._clients.values():
            client.meta.events.register(event, handler)

    def _count(self, **_: Any) -> None:
        with self._lock:
            self.calls += 1

    def client(self, service: str, region: str | None = None, config: Config | None = None) -> Any:
        """The shared client; `config` is merged in when this call creates it."""
        key = (service, region)
        with self._lock:
            existing = self._clients.get(key)
            if existing is not None:
                return existing
        signing: dict[str, str] = {}
        if self._credentials is not None:
            signing = {
                "aws_access_key_id": self._credentials["AccessKeyId"],
                "aws_secret_access_key": self._credentials["SecretAccessKey"],
                "aws_session_token": self._credentials["SessionToken"],
            }
        try:
            # One at a time per boto3 session: assumed roles create clients from pool threads.
            with self._create_lock:
                client = install_guard(
                    self.session.client(
                        service,
                        region_name=region or self.default_region,  # type: ignore[call-overload]
                        config=self.config.merge(config) if config else self.config,
                        **signing,
                    )
                )
        except BotoCoreError:
            raise
        except ValueError as exc:  # the only other ValueError here: a malformed endpoint URL
            raise invalid_endpoint(exc) from exc
        client.meta.events.register("before-call.*.*", self._count)
        for event, handler in self._hooks:
            client.meta.events.register(event, handler)
        with self._lock:
            return self._clients.setdefault(key, client)

    def assume(self, role_arn: str, session_name: str = "sestui-read") -> AwsSession:
        """A session in the role's account, with credentials from this session's guarded
        sts:AssumeRole; same boto3 session, configuration and hooks, its clients guarded too.

        The credentials last AssumeRole's default hour, far longer than one account's read.
        """
        sts = self.client("sts")
        reply = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)
        assumed = AwsSession(self.profile, credentials=reply["Credentials"], base=self)
        # Who the credentials are, as STS says (arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME):
        # no GetCallerIdentity needed to know the account.
        assumed.assumed_arn = str(reply["AssumedRoleUser"]["Arn"])
        assumed.config = self.config
        for event, handler in self._hooks:
            assumed.add_hook(event, handler)
        return assumed

    @property
    def access_key_id(self) -> str | None:
        """The access key ID this session signs with (an identifier, not a secret)."""
        if self._credentials is not None:
            return str(self._credentials["AccessKeyId"])
        credentials = self.session.get_credentials()
        return credentials.access_key if credentials else None

    def clients(self) -> list[Any]:
        with self._lock:
            return list(self._clients.values())

    def secret_values(self) -> tuple[str, ...]:
        """The secret key and session token this session signs with: what no artefact may hold."""
        if self._credentials is not None:
            return tuple(
                str(v)
                for v in (self._credentials["SecretAccessKey"], self._credentials["SessionToken"])
                if v
            )
        credentials = self.session.get_credentials()
        if credentials is None:
            return ()
        frozen = credentials.get_frozen_credentials()
        return tuple(v for v in (frozen.secret_key, frozen.token) if v)

    def ses_regions(self) -> list[str]:
        """Every region where the SES v2 API is offered in this session's partition."""
        partition = self.session.get_partition_for_region(self.default_region)
        return sorted(self.session.get_available_regions("sesv2", partition_name=partition))


def credentials_found(profile: str | None) -> bool:
    """Whether boto3's standard credential chain (or the profile) yields credentials. No AWS
    call, but a credential_process runs and a broken profile or config file raises."""
    return new_boto3_session(profile).get_credentials() is not None
