"""Test knobs: latency, fault injection, throttle switch, token lifetimes.

In-process: `app.extensions["qbo_sandbox.knobs"]` (a `Knobs`). Over HTTP (when
SANDBOX_KNOBS_HTTP_ENABLED / KNOBS_HTTP_ENABLED allows): `GET/POST /_sandbox/knobs`,
`POST /_sandbox/knobs/reset`, `POST /_sandbox/faults`, `GET /_sandbox/faults/log`.

Faults are rules matched against each API request (method, path regex, operation, entity), with
`times` (the next N matching requests; None = all), `skip` (let the first K pass) and
`probability` + `seed` (reproducible random faults). Kinds:
  error             answer `status` (500/502/503/504) with a SystemFault body, nothing executed
  throttle          answer Intuit's XML 429 (a burst of `times` requests)
  timeout           hang `delay` seconds, then drop the connection (nothing executed)
  drop              drop the connection before executing
  commit_then_drop  execute and commit, then drop the connection instead of answering
A dropped connection over a real socket is a TCP shutdown (the client sees a connection error);
in-process (httpx2.WSGITransport) the WSGI call raises `SandboxConnectionDropped`.
"""
from __future__ import annotations

import random
import re
import threading
from datetime import timedelta
from dataclasses import dataclass, field, fields

from qbo_sandbox import clock
from qbo_sandbox.control.throttle import DEFAULT_LIMITS

FAULT_KINDS = ("error", "throttle", "timeout", "drop", "commit_then_drop")
LIFETIME_KEYS = {
    "access_token_lifetime": "ACCESS_TOKEN_LIFETIME",
    "refresh_token_lifetime": "REFRESH_TOKEN_LIFETIME",
    "auth_code_lifetime": "AUTH_CODE_LIFETIME",
}


def _optional_int(value):
    return None if value in (None, "", "none") else int(value)


def _environment(value):
    if value not in ("sandbox", "production"):
        raise ValueError("environment is 'sandbox' or 'production'")
    return value


# Knobs that live in app.config (the code that uses them reads config at each request):
# knob name -> (config key, converter).
CONFIG_KNOBS = {
    "coreplus_cap": ("COREPLUS_CAP", _optional_int),
    "refresh_token_grace_seconds": ("REFRESH_TOKEN_GRACE_SECONDS", int),
    "environment": ("ENVIRONMENT", _environment),
    "deleted_name_suffix": ("DELETED_NAME_SUFFIX", bool),
    "unknown_response_fields": ("UNKNOWN_RESPONSE_FIELDS", bool),
}


class SandboxConnectionDropped(ConnectionError):
    """Raised out of the WSGI call in-process when a fault drops the connection."""


@dataclass
class FaultRule:
    kind: str
    times: int | None = 1
    skip: int = 0
    method: str | None = None
    path: str | None = None        # regex searched in the path below the sandbox root
    operation: str | None = None   # create update delete void read query batch cdc token …
    entity: str | None = None      # lower-case URL segment: invoice, customer, …
    probability: float = 1.0
    seed: int | None = None
    status: int = 500              # for kind=error
    delay: float = 130.0           # for kind=timeout (QBO times out at 120 s)
    fired: int = 0
    _rng: random.Random | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")
        self._rng = random.Random(self.seed)

    def matches(self, method: str, path: str, operation: str | None, entity: str | None) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and not re.search(self.path, path):
            return False
        if self.operation and self.operation != operation:
            return False
        if self.entity and self.entity.lower() != (entity or ""):
            return False
        return True

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


class Knobs:
    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.latency_jitter_ms = 0.0
        self._latency_rng = random.Random(0)
        self.throttle_enabled = bool(app.config.get("THROTTLE_ENABLED", True))
        self.throttle_limits = dict(DEFAULT_LIMITS)
        self.faults: list[FaultRule] = []
        self.log: list[dict] = []
        self._config_defaults = {key: app.config.get(key) for key, _ in CONFIG_KNOBS.values()}

    # --- token lifetimes live in app.config, read by the OAuth half ---------------------------
    def _lifetime(key):
        def getter(self):
            return self._app.config[LIFETIME_KEYS[key]]

        def setter(self, value):
            self._app.config[LIFETIME_KEYS[key]] = int(value)
        return property(getter, setter)

    access_token_lifetime = _lifetime("access_token_lifetime")
    refresh_token_lifetime = _lifetime("refresh_token_lifetime")
    auth_code_lifetime = _lifetime("auth_code_lifetime")
    del _lifetime

    # --- faults ----------------------------------------------------------------------------------
    def add_fault(self, kind: str, **options) -> FaultRule:
        rule = FaultRule(kind=kind, **options)
        with self._lock:
            self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def pick_fault(self, method, path, operation, entity) -> FaultRule | None:
        """The first rule that fires for this request (consumes one of its `times`)."""
        with self._lock:
            for rule in list(self.faults):
                if not rule.matches(method, path, operation, entity):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self.faults.remove(rule)
                self.log.append({"kind": rule.kind, "method": method, "path": path,
                                 "operation": operation, "status": rule.status})
                return rule
        return None

    def latency_seconds(self) -> float:
        with self._lock:
            jitter = self._latency_rng.uniform(0, self.latency_jitter_ms) if self.latency_jitter_ms else 0
        return (self.latency_ms + jitter) / 1000.0

    # --- whole-state helpers (CLI and HTTP) ------------------------------------------------------
    def update(self, values: dict) -> None:
        for key, value in values.items():
            if key in ("latency_ms", "latency_jitter_ms"):
                setattr(self, key, float(value))
            elif key == "latency_seed":
                self._latency_rng = random.Random(value)
            elif key == "throttle_enabled":
                self.throttle_enabled = bool(value)
            elif key == "throttle_limits":
                unknown = set(value) - set(DEFAULT_LIMITS)
                if unknown:
                    raise ValueError(f"unknown throttle limits: {sorted(unknown)}")
                self.throttle_limits.update({k: int(v) for k, v in value.items()})
            elif key in LIFETIME_KEYS:
                setattr(self, key, value)
            elif key in CONFIG_KNOBS:
                config_key, convert = CONFIG_KNOBS[key]
                self._app.config[config_key] = convert(value)
            elif key == "faults":
                self.clear_faults()
                for rule in value:
                    rule = dict(rule)
                    self.add_fault(rule.pop("kind"), **rule)
            else:
                raise ValueError(f"unknown knob {key!r}")

    def reset(self) -> None:
        self.latency_ms = 0.0
        self.latency_jitter_ms = 0.0
        self.throttle_enabled = bool(self._app.config.get("THROTTLE_ENABLED", True))
        self.throttle_limits = dict(DEFAULT_LIMITS)
        self.clear_faults()
        self.log.clear()
        self._app.config.update(self._config_defaults)
        clock.set_shift(timedelta(0))
        for name in ("qbo_sandbox.throttle", "qbo_sandbox.usage", "qbo_sandbox.webhooks"):
            if self._app.extensions.get(name):
                self._app.extensions[name].reset()

    def as_dict(self) -> dict:
        return {
            "latency_ms": self.latency_ms,
            "latency_jitter_ms": self.latency_jitter_ms,
            "throttle_enabled": self.throttle_enabled,
            "throttle_limits": dict(self.throttle_limits),
            "access_token_lifetime": self.access_token_lifetime,
            "refresh_token_lifetime": self.refresh_token_lifetime,
            "auth_code_lifetime": self.auth_code_lifetime,
            "faults": [r.as_dict() for r in self.faults],
            **{name: self._app.config.get(key) for name, (key, _) in CONFIG_KNOBS.items()},
        }


def parse_fault_spec(spec: str) -> dict:
    """CLI form `kind[:key=value,...]`, e.g. `error:status=503,times=2,path=/invoice`."""
    kind, _, rest = spec.partition(":")
    options: dict = {"kind": kind}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        if key in ("times", "skip", "status", "seed"):
            options[key] = None if value.lower() in ("none", "all") else int(value)
        elif key in ("probability", "delay"):
            options[key] = float(value)
        else:
            options[key] = value
    return options
