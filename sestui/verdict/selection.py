"""The question being asked: may this principal send from this address, in this region, this way?"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class SendPath(Enum):
    SMTP = "smtp"
    API_V1 = "api-v1"
    API_V2 = "api-v2"

    @property
    def api_version(self) -> str:
        # The SMTP interface is authorized as version 2 of ses:SendRawEmail.
        return "1" if self is SendPath.API_V1 else "2"


SENDING_ACTIONS = (
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:SendBulkEmail",
)
TEMPLATED_ACTIONS = frozenset(
    {"ses:sendtemplatedemail", "ses:sendbulktemplatedemail", "ses:sendbulkemail"}
)
# Actions with no resource type: authorized against "*".
NON_SENDING_ACTIONS = (
    "ses:GetSendQuota",
    "ses:GetSendStatistics",
    "ses:GetAccount",
    "ses:ListIdentities",
)


@dataclass(frozen=True, slots=True)
class Selection:
    principal: str  # user or role name, or ARN
    region: str
    from_address: str | None = None
    identity: str | None = None
    path: SendPath = SendPath.SMTP
    actions: tuple[str, ...] = ()  # empty: the path's raw-send action
    configuration_set: str | None = None  # None: the identity's default set
    template: str | None = None
    recipients: tuple[str, ...] | None = None  # None: unknown
    source_ip: str | None = None
    secure_transport: bool | None = True  # SES requires TLS on SMTP and HTTPS on the API
    current_time: str | None = None  # None: now
    principal_tags: tuple[tuple[str, str], ...] = ()  # added to (and overriding) the model's
    display_name: str | None = None
    feedback_address: str | None = None
    role: bool = False  # look the principal up among roles first
    session_name: str | None = None  # of an assumed-role ARN, kept in the rendered AWS text
    extra_context: tuple[tuple[str, str], ...] = field(default=())

    @property
    def effective_actions(self) -> tuple[str, ...]:
        return self.actions or ("ses:SendRawEmail",)
