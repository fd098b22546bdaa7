"""Mail out: how messages leave, configured per user outside the vault (`contacts mail send`).

    settings = load_settings()          # $XDG_CONFIG_HOME/contacts/mail.toml, then CONTACTS_SMTP_* variables
    with connect(settings) as transport:
        transport.send(message, ["ada@analytical.example"])

Either an SMTP server (`host`, `port`, `security` starttls, ssl or none, `user`) or a sendmail-compatible
command (`sendmail = "msmtp -a work"`: the message on standard input, its recipients as arguments). The
password comes from $CONTACTS_SMTP_PASSWORD or `password_command`, never from the vault or the file.
"""
from __future__ import annotations

import os
import shlex
import smtplib
import ssl
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from vault_tool.errors import InvalidValueError, VaultError

CONFIG_NAME = "mail.toml"
PASSWORD_VARIABLE = "CONTACTS_SMTP_PASSWORD"
VARIABLES = {  # key in mail.toml -> the environment variable that overrides it
    "from": "CONTACTS_MAIL_FROM", "host": "CONTACTS_SMTP_HOST", "port": "CONTACTS_SMTP_PORT",
    "security": "CONTACTS_SMTP_SECURITY", "user": "CONTACTS_SMTP_USER",
    "password_command": "CONTACTS_SMTP_PASSWORD_COMMAND", "sendmail": "CONTACTS_SENDMAIL",
}
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 60.0


@dataclass(frozen=True)
class MailSettings:
    """How to send, as the user configured it."""

    sender: str = ""  # `from`: the From address when the template has none
    host: str = ""
    port: int = 0  # 0: the security's usual port
    security: str = "starttls"
    user: str = ""
    password_command: str = ""
    sendmail: str = ""
    where: str = ""  # where the settings were read, for errors


class Transport(Protocol):
    """Something that delivers a message to its recipients (raises VaultError when it cannot)."""

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        """Deliver ``message``; the first of ``recipients`` is the contact, a refusal of it an error."""


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user's mail settings: $XDG_CONFIG_HOME/contacts/mail.toml (~/.config when it is not set)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "contacts" / CONFIG_NAME


def load_settings(environ: Mapping[str, str] | None = None) -> MailSettings:
    """The settings of mail.toml, each overridden by its environment variable where that is set."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    values: dict[str, Any] = _read_file(path) if path.is_file() else {}
    for key, variable in VARIABLES.items():
        if env.get(variable):
            values[key] = env[variable]
    where = f"{path} or the CONTACTS_* variables"
    settings = MailSettings(sender=str(values.get("from", "")), host=str(values.get("host", "")),
                            security=str(values.get("security", "starttls")).lower(), user=str(values.get("user", "")),
                            password_command=str(values.get("password_command", "")),
                            sendmail=str(values.get("sendmail", "")), where=where)
    if settings.security not in SECURITY_PORTS:
        raise InvalidValueError(f"security '{settings.security}' in {where}: give starttls, ssl or none")
    return replace(settings, port=_port(values.get("port"), where))


def _read_file(path: Path) -> dict[str, Any]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidValueError(f"{path}: cannot be read as TOML ({exc})") from None
    if "password" in values:
        raise InvalidValueError(f"{path}: no password in a file: set ${PASSWORD_VARIABLE} or password_command")
    unknown = sorted(set(values) - set(VARIABLES))
    if unknown:
        raise InvalidValueError(f"{path}: unknown key '{unknown[0]}' (known: {', '.join(VARIABLES)})")
    return values


def _port(value: Any, where: str) -> int:
    if value is None or value == "":
        return 0
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = -1
    if not 0 < port < 65536:
        raise InvalidValueError(f"port '{value}' in {where}: give a number such as 587")
    return port


def password(settings: MailSettings, environ: Mapping[str, str] | None = None) -> str:
    """The SMTP password: $CONTACTS_SMTP_PASSWORD, else the first line `password_command` prints."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_VARIABLE):
        return env[PASSWORD_VARIABLE]
    if not settings.password_command:
        raise InvalidValueError(f"the SMTP user '{settings.user}' has no password: set ${PASSWORD_VARIABLE}, "
                                f"or password_command in {config_path(env)}")
    try:
        done = subprocess.run(shlex.split(settings.password_command), capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise VaultError(f"password_command '{settings.password_command}' cannot be run ({exc})") from None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}, no output"])[-1]
        raise VaultError(f"password_command '{settings.password_command}' gave no password ({why})")
    return lines[0]


@contextmanager
def connect(settings: MailSettings) -> Iterator[Transport]:
    """A transport for ``settings``, closed afterwards; a one-line error when there is none to send through."""
    if settings.sendmail:
        yield Sendmail(shlex.split(settings.sendmail))
        return
    if not settings.host:
        raise InvalidValueError(f"no way to send mail is configured: set host (or sendmail) in {config_path()}, "
                                "or $CONTACTS_SMTP_HOST; --out DIR writes the messages to files instead")
    server = _open_smtp(settings)
    try:
        yield Smtp(server)
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def _open_smtp(settings: MailSettings) -> smtplib.SMTP:
    port = settings.port or SECURITY_PORTS[settings.security]
    where = f"{settings.host}:{port}"
    secret = password(settings) if settings.user else ""
    try:
        if settings.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, port, timeout=TIMEOUT,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, port, timeout=TIMEOUT)
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
        if settings.user:
            server.login(settings.user, secret)
    except smtplib.SMTPAuthenticationError as exc:
        raise VaultError(f"{where} refused the login of '{settings.user}' ({_said(exc)})") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise VaultError(f"cannot send through {where} ({_said(exc)})") from None
    return server


class Smtp:
    """Delivery through a connected SMTP server."""

    def __init__(self, server: smtplib.SMTP) -> None:
        self.server = server

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        try:
            refused = self.server.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPException, OSError) as exc:
            raise VaultError(f"the server did not take the message ({_said(exc)})") from None
        if recipients and recipients[0] in refused:  # the first is the contact; a Cc refused alone is no failure
            code, text = refused[recipients[0]]
            raise VaultError(f"the server refused {recipients[0]} ({_reply(code, text)})")


class Sendmail:
    """Delivery through a sendmail-compatible command: the message on standard input, recipients as arguments."""

    def __init__(self, command: list[str]) -> None:
        if not command:
            raise InvalidValueError("sendmail is empty: give a command such as 'msmtp -a default'")
        self.command = command

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        try:
            done = subprocess.run([*self.command, "--", *recipients], input=message.as_bytes(),
                                  capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise VaultError(f"'{shlex.join(self.command)}' cannot be run ({exc})") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = said[-1] if said else f"exit status {done.returncode}"
            raise VaultError(f"'{shlex.join(self.command)}' did not take the message ({why})")


def _said(exc: BaseException) -> str:
    """What a server said, on one line (`550 no such user`)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return " ".join(str(exc).split()) or type(exc).__name__


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(f"{code} {said}".split())
