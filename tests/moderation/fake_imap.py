"""A stand-in for imaplib.IMAP4_SSL: a mailbox that answers as an IMAP server would, and logs."""

import imaplib


class FakeImapServer:
    """The mailbox state a real server keeps between connections."""

    def __init__(self, messages, *, password=None, mailboxes=('"INBOX"',)):
        self.messages = dict(messages)
        self.seen = set()
        self.password = password
        self.mailboxes = set(mailboxes)
        self.connections = []

    def connect(self, host, port, *, ssl_context=None, timeout=None):
        """What the code under test gets instead of imaplib.IMAP4_SSL(...)."""
        self.connections.append(FakeImap(self, host, port, ssl_context, timeout))
        return self.connections[-1]

    @property
    def commands(self):
        """Every command of every connection, in order."""
        return [command for connection in self.connections for command in connection.commands]

    def every_command_word(self):
        return " ".join(str(word) for command in self.commands for word in command)


class FakeImap:
    """One connection: records every command and answers as an IMAP server would."""

    def __init__(self, server, host, port, ssl_context, timeout):
        self.server = server
        self.host, self.port, self.ssl_context, self.timeout = host, port, ssl_context, timeout
        self.commands = []

    def login(self, user, password):
        self.commands.append(("LOGIN", user, password))
        if self.server.password is not None and password != self.server.password:
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Authentication failed.")
        return "OK", [b"Logged in"]

    def authenticate(self, mechanism, authobject):
        self.commands.append(("AUTHENTICATE", mechanism, authobject(b"")))
        return "OK", [b"Logged in"]

    def select(self, mailbox):
        self.commands.append(("SELECT", mailbox))
        if mailbox not in self.server.mailboxes:
            return "NO", [b"Mailbox doesn't exist"]
        return "OK", [str(len(self.server.messages)).encode()]

    def uid(self, command, *args):
        self.commands.append(("UID", command, *args))
        messages, seen = self.server.messages, self.server.seen
        if command == "SEARCH":
            return "OK", [" ".join(uid for uid in messages if uid not in seen).encode()]
        if command == "FETCH":
            uid, items = args
            if uid not in messages:
                return "OK", [None]
            if "BODY[]" in items:  # only BODY.PEEK[] leaves a message unread
                seen.add(uid)
            raw = messages[uid]
            return "OK", [(b"1 (UID %s BODY[] {%d}" % (uid.encode(), len(raw)), raw), b")"]
        if command == "STORE":
            uid, operation, flags = args
            if operation == "+FLAGS" and "\\Seen" in flags:
                seen.add(uid)
            return "OK", [b"1 (FLAGS (\\Seen))"]
        if command == "COPY":
            return "OK", [b"[COPYUID 1 7 1] Copy completed"]
        raise AssertionError(f"unexpected UID {command}")

    def logout(self):
        self.commands.append(("LOGOUT",))
        return "BYE", [b"Logging out"]
