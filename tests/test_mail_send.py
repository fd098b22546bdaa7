"""`contacts mail send`: a template to many contacts, through a real SMTP server on 127.0.0.1 or a command."""
from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import commit_count, git, head_files, head_message, no_traceback, ok

TEMPLATE = """\
---
subject: "Welcome, {{first_name|friend}}"
cc: Sales <sales@example.com>
---
Dear {{first_name|there}},

We are glad **{{company|your team}}** is with us ({{industry|no industry}}).
"""

PEOPLE = {
    "ada-lovelace": "name: Ada Lovelace\nemails: [ada@analytical.example]\ncompany: Analytical Engines\n"
                    "industry: computing\ntags: [newsletter]",
    "charles-babbage": "name: Charles Babbage\nemails: [charles@engines.example]\ntags: [newsletter]",
    "emily-carter": "name: Emily Carter\nemails: [emily@carter.example]\ncompany: Carter & Sons <UK>\n"
                    "tags: [newsletter]",
    "zoe-muller": "name: Zoë Müller\nemails: [zoe@mueller.example]\ntags: [newsletter]",
    "wang-fang": "name: Wang Fang\nemails: [fang@wang.example]\ntags: [newsletter]",
    "opted-out": "name: Olga Optout\nemails: [olga@out.example]\ndo_not_email: true\ntags: [newsletter]",
    "gone-away": "name: Gus Gone\nemails: [gus@gone.example]\ntags: [newsletter, unsubscribed]",
    "no-address": "name: Nora Nomail\nphones: ['+44 20 7946 0000']\ntags: [newsletter]",
    "other": "name: Otto Other\nemails: [otto@other.example]\ntags: [press]",
}
SENDABLE = ["ada@analytical.example", "charles@engines.example", "emily@carter.example", "fang@wang.example",
            "zoe@mueller.example"]


@pytest.fixture
def vault(tmp_path: Path, invoke) -> Path:
    root = tmp_path / "vault"
    ok(invoke("init", root))
    for handle, front in PEOPLE.items():
        (root / "contacts" / f"{handle}.md").write_text(f"---\n{front}\n---\nNotes.\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "welcome.md").write_text(TEMPLATE, encoding="utf-8")
    with (root / "vault.yaml").open("a", encoding="utf-8") as config:
        config.write("me: [me@example.com]\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Contacts")
    return root


class Recorder:
    """An SMTP handler that keeps what arrives, and may refuse the Nth recipient with a 550."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.logins: list[tuple[str, str]] = []
        self.rcpts = 0
        self.refuse_nth: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts == self.refuse_nth:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(data, policy=email.policy.default) for _, data in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=recorder.authenticate,
                            auth_require_tls=False)
    controller.start()
    for name, value in {"CONTACTS_SMTP_HOST": "127.0.0.1", "CONTACTS_SMTP_PORT": str(port),
                        "CONTACTS_SMTP_SECURITY": "none"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CONTACTS_SMTP_PASSWORD", raising=False)
    yield recorder
    controller.stop()


def body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_subtype() == subtype
    return str(part.get_content())


def test_out_writes_one_eml_file_per_contact_and_sends_nothing(vault: Path, invoke, tmp_path: Path) -> None:
    before = commit_count(vault)
    result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--out", tmp_path / "out")
    ok(result)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["ada-lovelace.eml", "charles-babbage.eml", "emily-carter.eml", "wang-fang.eml", "zoe-muller.eml"]
    assert "Wrote 5 messages" in result.output and "nothing sent" in result.output
    msg = email.message_from_bytes((tmp_path / "out" / "ada-lovelace.eml").read_bytes(), policy=email.policy.default)
    assert msg["From"] == "me@example.com"
    assert msg["To"] == "Ada Lovelace <ada@analytical.example>"
    assert msg["Cc"] == "Sales <sales@example.com>"
    assert msg["Subject"] == "Welcome, Ada"
    assert msg["Date"].datetime is not None and msg["Message-ID"].endswith("@example.com>")
    assert msg.get_content_type() == "multipart/alternative"
    assert "Dear Ada," in body(msg, "plain") and "**Analytical Engines** is with us (computing)" in body(msg, "plain")
    assert "<strong>Analytical Engines</strong> is with us (computing)" in body(msg, "html")
    emily = email.message_from_bytes((tmp_path / "out" / "emily-carter.eml").read_bytes(), policy=email.policy.default)
    assert "<strong>Carter &amp; Sons &lt;UK&gt;</strong>" in body(emily, "html")  # a value is text, not HTML
    assert "(no industry)" in body(emily, "plain")
    assert commit_count(vault) == before


def test_dry_run_writes_to_outbox_and_lists_who_is_left_out(vault: Path, invoke, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--dry-run")
    ok(result)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
    assert "left out: 2 contacts want no email (do_not_email or unsubscribed): Gus Gone, Olga Optout" in result.output
    assert "left out: 1 contact has no email address: Nora Nomail" in result.output
    assert "Otto" not in result.output  # not picked by the query
    zoe = email.message_from_bytes((tmp_path / "outbox" / "zoe-muller.eml").read_bytes(), policy=email.policy.default)
    assert zoe["Subject"] == "Welcome, Zoë" and zoe["To"] == "Zoë Müller <zoe@mueller.example>"
    raw = (tmp_path / "outbox" / "zoe-muller.eml").read_bytes()
    assert b"Subject: Welcome, =?utf-8?" in raw  # encoded as RFC 2047 asks


def test_send_through_smtp_logs_each_message_in_one_commit(vault: Path, invoke, smtp: Recorder) -> None:
    result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    ok(result)
    assert sorted(rcpts[0] for rcpts, _ in smtp.received) == SENDABLE
    assert all(rcpts[1:] == ["sales@example.com"] for rcpts, _ in smtp.received)  # the template's Cc
    assert head_message(vault) == "Send 'welcome' to 5 contacts"
    assert sorted(head_files(vault)) == [f"contacts/{h}.md" for h in
                                         ("ada-lovelace", "charles-babbage", "emily-carter", "wang-fang", "zoe-muller")]
    assert "sent to Ada Lovelace <ada@analytical.example>" in result.output
    msg = next(m for m in smtp.messages() if m["To"].addresses[0].addr_spec == "charles@engines.example")
    assert msg["Subject"] == "Welcome, Charles"
    assert "**your team** is with us" in body(msg, "plain") and "<strong>your team</strong>" in body(msg, "html")
    text = (vault / "contacts" / "charles-babbage.md").read_text(encoding="utf-8")
    section = text[text.index("\n## "):]
    heading, mid, to, mark = section.strip().splitlines()[:4]
    assert heading.startswith("## ") and " email — Welcome, Charles" in heading
    assert mid == f"Message-ID: {msg['Message-ID']}"
    assert to == "To: Charles Babbage <charles@engines.example>"
    assert mark == "Template: welcome"
    assert "olga" not in str(smtp.received) and "otto" not in str(smtp.received)


def test_a_second_run_sends_nothing_again(vault: Path, invoke, smtp: Recorder) -> None:
    ok(invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes"))
    commits = commit_count(vault)
    again = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    ok(again)
    assert len(smtp.received) == 5
    assert "Nothing to send" in again.output and "5 contacts were sent 'welcome' before" in again.output
    assert commit_count(vault) == commits


def test_failure_half_way_commits_those_sent_and_a_rerun_sends_to_the_rest(
        vault: Path, invoke, smtp: Recorder) -> None:
    template = vault / "templates" / "welcome.md"
    template.write_text(TEMPLATE.replace("cc: Sales <sales@example.com>\n", ""), encoding="utf-8")
    git(vault, "commit", "-q", "-am", "No Cc")
    smtp.refuse_nth = 3  # the third contact's address
    commits = commit_count(vault)
    failed = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    assert failed.exit_code == 1
    no_traceback(failed)
    assert "550" in failed.output and "run the same command again" in failed.output
    assert "2 sent (logged), 3 not sent" in failed.output
    assert len(smtp.received) == 2
    assert commit_count(vault) == commits + 1 and head_message(vault) == "Send 'welcome' to 2 contacts"
    first = [rcpts[0] for rcpts, _ in smtp.received]
    smtp.refuse_nth = None
    rerun = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    ok(rerun)
    second = [rcpts[0] for rcpts, _ in smtp.received[2:]]
    assert sorted(first + second) == SENDABLE and not set(first) & set(second)
    assert head_message(vault) == "Send 'welcome' to 3 contacts"
    for handle in ("ada-lovelace", "charles-babbage", "emily-carter", "wang-fang", "zoe-muller"):
        assert (vault / "contacts" / f"{handle}.md").read_text(encoding="utf-8").count("Template: welcome") == 1


def test_a_missing_placeholder_lists_the_contacts_and_sends_nothing(vault: Path, invoke, smtp: Recorder) -> None:
    (vault / "templates" / "strict.md").write_text("---\nsubject: For {{company}}\n---\nHi {{name}}\n",
                                                    encoding="utf-8")
    commits = commit_count(vault)
    result = invoke("-C", vault, "mail", "send", "strict", "tag:newsletter", "--yes")
    assert result.exit_code == 2
    no_traceback(result)
    line = result.output.strip()
    assert "\n" not in line and "nothing sent" in line
    assert "Charles Babbage (company)" in line and "Wang Fang (company)" in line and "Zoë Müller (company)" in line
    assert "Ada Lovelace" not in line
    assert smtp.received == [] and commit_count(vault) == commits


def test_no_terminal_and_no_yes_refuses(vault: Path, invoke, smtp: Recorder) -> None:
    commits = commit_count(vault)
    result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter")
    assert result.exit_code == 1
    no_traceback(result)
    assert "no terminal to ask on: give --yes" in result.output
    assert smtp.received == [] and commit_count(vault) == commits


def test_the_password_comes_from_the_environment(vault: Path, invoke, smtp: Recorder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTS_SMTP_USER", "alice")
    monkeypatch.setenv("CONTACTS_SMTP_PASSWORD", "s3cret")
    ok(invoke("-C", vault, "mail", "send", "welcome", "ada", "--yes"))
    assert smtp.logins == [("alice", "s3cret")] and len(smtp.received) == 1


def test_the_password_comes_from_a_command_in_mail_toml(vault: Path, invoke, smtp: Recorder, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONTACTS_SMTP_HOST", "CONTACTS_SMTP_SECURITY"):
        monkeypatch.delenv(name)
    port = os.environ["CONTACTS_SMTP_PORT"]
    monkeypatch.delenv("CONTACTS_SMTP_PORT")
    script = tmp_path / "pass.sh"
    script.write_text("#!/bin/sh\nprintf 's3cret\\nsecond line\\n'\n")
    script.chmod(0o755)
    config = tmp_path / "xdg" / "contacts" / "mail.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "bob"\n'
                      f'password_command = "{script}"\nfrom = "Bob <bob@example.org>"\n', encoding="utf-8")
    ok(invoke("-C", vault, "mail", "send", "welcome", "charles", "--yes"))
    assert smtp.logins == [("bob", "s3cret")]
    assert smtp.messages()[0]["From"] == "Bob <bob@example.org>"


def test_a_user_without_a_password_is_a_one_line_error(vault: Path, invoke, smtp: Recorder,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTS_SMTP_USER", "alice")
    result = invoke("-C", vault, "mail", "send", "welcome", "ada", "--yes")
    assert result.exit_code == 2
    no_traceback(result)
    assert "has no password: set $CONTACTS_SMTP_PASSWORD" in result.output
    assert smtp.received == [] and smtp.logins == []


def test_a_password_in_mail_toml_is_refused(vault: Path, invoke, tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "contacts" / "mail.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('host = "127.0.0.1"\npassword = "hunter2"\n', encoding="utf-8")
    result = invoke("-C", vault, "mail", "send", "welcome", "ada", "--yes")
    assert result.exit_code == 2 and "no password in a file" in result.output
    no_traceback(result)


def test_nothing_configured_is_a_one_line_error(vault: Path, invoke) -> None:
    commits = commit_count(vault)
    result = invoke("-C", vault, "mail", "send", "welcome", "ada", "--yes")
    assert result.exit_code == 2 and "no way to send mail is configured" in result.output
    no_traceback(result)
    assert commit_count(vault) == commits


def test_a_sendmail_compatible_command(vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    script = tmp_path / "fake-sendmail"
    script.write_text(f'#!/bin/sh\nn=$(ls "{inbox}" | wc -l)\nprintf "%s\\n" "$@" > "{inbox}/args-$n"\n'
                      f'cat > "{inbox}/msg-$n.eml"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("CONTACTS_SENDMAIL", f"{script} -oi")
    ok(invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter AND company:analytical", "--yes"))
    assert (inbox / "args-0").read_text().split() == ["-oi", "--", "ada@analytical.example", "sales@example.com"]
    msg = email.message_from_bytes((inbox / "msg-0.eml").read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Welcome, Ada" and "Dear Ada," in body(msg, "plain")
    assert head_message(vault) == "Send 'welcome' to 1 contact"


def test_a_failing_sendmail_command_stops_with_its_words(vault: Path, invoke, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "broken-sendmail"
    script.write_text("#!/bin/sh\ncat > /dev/null\necho 'sendmail: cannot connect' >&2\nexit 75\n")
    script.chmod(0o755)
    monkeypatch.setenv("CONTACTS_SENDMAIL", str(script))
    commits = commit_count(vault)
    result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    assert result.exit_code == 1 and "sendmail: cannot connect" in result.output
    no_traceback(result)
    assert "0 sent (logged), 5 not sent" in result.output and commit_count(vault) == commits


def test_per_minute_spaces_the_messages(vault: Path, invoke, smtp: Recorder) -> None:
    start = time.monotonic()
    ok(invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes", "--per-minute", "600"))
    assert time.monotonic() - start >= 0.4  # five messages, 0.1 s apart
    assert len(smtp.received) == 5
    bad = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes", "--per-minute", "0")
    assert bad.exit_code == 2
    no_traceback(bad)


def test_an_unknown_template_or_a_query_that_matches_nothing(vault: Path, invoke) -> None:
    unknown = invoke("-C", vault, "mail", "send", "welcom", "tag:newsletter", "--dry-run")
    assert unknown.exit_code == 1 and "no template 'welcom'" in unknown.output and "templates: welcome" in unknown.output
    nobody = invoke("-C", vault, "mail", "send", "welcome", "tag:nobody", "--dry-run")
    assert nobody.exit_code == 1 and "no contact matches 'tag:nobody'" in nobody.output
    for result in (unknown, nobody):
        no_traceback(result)


def test_init_example_copies_the_example_template(tmp_path: Path, invoke) -> None:
    ok(invoke("init", tmp_path / "demo", "--example"))
    template = tmp_path / "demo" / "templates" / "welcome.md"
    assert template.read_text(encoding="utf-8").startswith("---\nsubject:")
    assert "templates/welcome.md" in git(tmp_path / "demo", "ls-files")


def test_ctrl_c_half_way_commits_those_sent(vault: Path, invoke, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    script = tmp_path / "interrupting-sendmail"
    script.write_text(f'#!/bin/sh\nn=$(ls "{inbox}" | wc -l)\nif [ "$n" -ge 2 ]; then kill -INT $PPID; sleep 5; '
                      f'exit 1; fi\ncat > "{inbox}/msg-$n.eml"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("CONTACTS_SENDMAIL", str(script))
    # Ctrl-C as a terminal's foreground job gets it: a test run started in the background of a shell
    # inherits SIGINT ignored, and would never be interrupted.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    finally:
        signal.signal(signal.SIGINT, before)
    assert result.exit_code == 1
    no_traceback(result)
    assert "interrupted" in result.output and "2 sent (logged), 3 not sent" in result.output
    assert head_message(vault) == "Send 'welcome' to 2 contacts" and len(head_files(vault)) == 2


def test_first_name_from_a_kept_vcard_n_and_none_for_an_organisation(vault: Path, invoke, tmp_path: Path) -> None:
    (vault / "contacts" / "augusta.md").write_text(
        '---\nname: Ada King\nemails: [ada@king.example]\ntags: [names]\nvcard:\n  N: "Lovelace;Augusta Ada;;;"\n---\n',
        encoding="utf-8")
    (vault / "contacts" / "engines.md").write_text(
        "---\nname: Analytical Engines\nkind: organization\nemails: [info@engines.example]\ntags: [names]\n---\n",
        encoding="utf-8")
    (vault / "templates" / "names.md").write_text(
        "---\nsubject: Hello\n---\n{{first_name|there}} / {{last_name|none}} / {{email}} / {{handle}}\n",
        encoding="utf-8")
    ok(invoke("-C", vault, "mail", "send", "names", "tag:names", "--out", tmp_path / "out"))
    person = email.message_from_bytes((tmp_path / "out" / "augusta.eml").read_bytes(), policy=email.policy.default)
    organisation = email.message_from_bytes((tmp_path / "out" / "engines.eml").read_bytes(),
                                            policy=email.policy.default)
    assert body(person, "plain").strip() == "Augusta / Lovelace / ada@king.example / augusta"
    assert body(organisation, "plain").strip() == "there / none / info@engines.example / engines"


# Encrypted connections: STARTTLS and SSL to a real server with a certificate of a test authority

@pytest.fixture
def authority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A certificate authority of the test's own (trustme), which the sending side trusts through
    $SSL_CERT_FILE as it would a system's; and the server's certificate for 127.0.0.1."""
    import trustme

    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return ca


def tls_server(ca, monkeypatch: pytest.MonkeyPatch, security: str) -> tuple[Recorder, Controller]:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    recorder, port = Recorder(), free_port()
    if security == "ssl":
        # the whole connection is TLS, which aiosmtpd's protocol does not see: it may offer AUTH at once
        controller = Controller(recorder, hostname="127.0.0.1", port=port, ssl_context=context,
                                authenticator=recorder.authenticate, auth_require_tls=False)
    else:
        controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                                authenticator=recorder.authenticate)
    controller.start()
    for name, value in {"CONTACTS_SMTP_HOST": "127.0.0.1", "CONTACTS_SMTP_PORT": str(port),
                        "CONTACTS_SMTP_SECURITY": security, "CONTACTS_SMTP_USER": "bob",
                        "CONTACTS_SMTP_PASSWORD": "s3cret"}.items():
        monkeypatch.setenv(name, value)
    return recorder, controller


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_starttls_and_ssl_send_and_log_in_over_an_encrypted_connection(
        vault: Path, invoke, authority, monkeypatch: pytest.MonkeyPatch, security: str) -> None:
    recorder, controller = tls_server(authority, monkeypatch, security)
    try:
        result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    finally:
        controller.stop()
    ok(result)
    assert sorted(rcpts[0] for rcpts, _ in recorder.received) == SENDABLE
    assert recorder.logins == [("bob", "s3cret")]  # the password went over the encrypted connection only
    assert head_message(vault) == "Send 'welcome' to 5 contacts"


def test_a_certificate_no_authority_vouches_for_is_refused_in_one_line(
        vault: Path, invoke, authority, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import trustme

    recorder, controller = tls_server(trustme.CA(), monkeypatch, "starttls")  # not the authority the sender trusts
    before = commit_count(vault)
    try:
        result = invoke("-C", vault, "mail", "send", "welcome", "tag:newsletter", "--yes")
    finally:
        controller.stop()
    no_traceback(result)
    assert result.exit_code != 0 and recorder.received == [] and recorder.logins == []
    assert "cannot send through 127.0.0.1:" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert commit_count(vault) == before
