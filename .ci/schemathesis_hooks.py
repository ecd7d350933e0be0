"""Schemathesis hooks for `.ci/schemathesis`: who the fuzzer is.

Every operation runs as an admin, except `/api/v1/me/...` (the patient portal), which runs as
a patient account linked to a seeded patient, and the SMS provider's webhook, which gets the
inbound secret the server was started with. The fuzzer is free to log out, revoke sessions,
change passwords, disable or demote users: a token that stops working answers 401, which makes
schemathesis drop it, ask `get` for a new one and replay the request. `get` first checks that
the cached token still belongs to an active account of the right role (`GET /api/v1/auth/me`,
cheap), then logs in again, and when the account itself is gone for good (disabled, password
changed, demoted, locked out) creates a fresh one with `dcms users create` (the CLI, straight
into the database the server uses).

The helper's own requests come from 127.0.0.2, so the failed logins the fuzzer makes from
127.0.0.1 never lock the helper's address out. Settings come from the environment that
`.ci/schemathesis` exports (DCMS_ST_*).
"""

import http.client
import itertools
import json
import os
import subprocess
import sys
import threading

import schemathesis

PORT = int(os.environ["DCMS_ST_PORT"])
PASSWORD = os.environ["DCMS_ST_PASSWORD"]
DCMS = os.environ["DCMS_ST_BIN"]
DATABASE = os.environ["DCMS_ST_DATABASE"]
AUDIT_KEY = os.environ["DCMS_ST_AUDIT_KEY"]
PATIENT_ID = int(os.environ["DCMS_ST_PATIENT_ID"])
ME_PATHS = r"^/api/v1/me(/|$)"
INBOUND_PATH = "/api/v1/sms/inbound"
INBOUND_SECRET = os.environ["DCMS_ST_INBOUND_SECRET"]

_serial = itertools.count(1)


def call(method, path, token=None, body=None):
    """One request from 127.0.0.2; returns (status, parsed JSON or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30, source_address=("127.0.0.2", 0))
    try:
        headers = {}
        payload = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, parsed
    finally:
        conn.close()


def create_account(role):
    """A new account of `role`, made through the CLI; returns its username."""
    username = f"st-{role}-{next(_serial)}"
    subprocess.run(
        [DCMS, "--database", DATABASE, "--audit-key-file", AUDIT_KEY, "users", "create",
         "--username", username, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n", text=True, capture_output=True, check=True,
    )
    print(f"\n[hooks] the fuzzer ended the {role} account's access; continuing as {username}", file=sys.stderr)
    return username


class Identity:
    """An account of one role and its current token."""

    def __init__(self, role, username):
        self.role = role
        self.username = username
        self.token = None
        self.lock = threading.Lock()

    def valid(self):
        if not self.token:
            return False
        status, me = call("GET", "/api/v1/auth/me", self.token)
        return status == 200 and me["user"]["role"] == self.role and self.linked(me)

    def linked(self, me):
        return True

    def link(self, user_id):
        pass

    def current_token(self):
        with self.lock:
            if self.valid():
                return self.token
            for _ in range(3):
                status, body = call("POST", "/api/v1/auth/login", body={
                    "username": self.username, "password": PASSWORD, "device_name": "schemathesis",
                })
                if status == 201 and body["user"]["role"] == self.role:
                    self.token = body["token"]
                    self.link(body["user"]["user_id"])
                    if self.valid():
                        return self.token
                # Disabled, demoted, password changed or locked out: start over with a new one.
                self.username = create_account(self.role)
            raise RuntimeError(f"cannot get a {self.role} session")


class PatientIdentity(Identity):
    def linked(self, me):
        return me.get("patient_id") == PATIENT_ID

    def link(self, user_id):
        call("PATCH", f"/api/v1/patients/{PATIENT_ID}", ADMIN.current_token(), {"user_id": user_id})


ADMIN = Identity("admin", os.environ["DCMS_ST_ADMIN"])
PATIENT = PatientIdentity("patient", os.environ["DCMS_ST_PATIENT"])


def bearer(case, token):
    if case.headers is None:
        case.headers = {}
    case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.auth().skip_for(path_regex=ME_PATHS).skip_for(path=INBOUND_PATH)
class AdminAuth:
    def get(self, case, context):
        return ADMIN.current_token()

    def set(self, case, data, context):
        bearer(case, data)


@schemathesis.auth().apply_to(path_regex=ME_PATHS)
class PatientAuth:
    def get(self, case, context):
        return PATIENT.current_token()

    def set(self, case, data, context):
        bearer(case, data)


@schemathesis.auth().apply_to(path=INBOUND_PATH)
class SmsProviderAuth:
    """The SMS provider's webhook: its shared secret instead of a session."""

    def get(self, case, context):
        return INBOUND_SECRET

    def set(self, case, data, context):
        if case.headers is None:
            case.headers = {}
        case.headers["X-DCMS-SMS-Secret"] = data
