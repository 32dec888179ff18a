"""Scrub run-specific values from guide outputs so that two runs compare equal.

Tokens, ports, times, durations and ids change on every run; what a guide
teaches does not. The same rules clean the stored baseline in notebooks/.
"""

from __future__ import annotations

import re

RULES: list[tuple[re.Pattern[str], str]] = [
    # long random strings: tokens, secrets, kernel and session ids
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b(?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{24,}\b"), "<secret>"),
    # addresses on this machine: the port differs each run
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    # timestamps, dates and durations
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b\d+(\.\d+)?\s?ms\b"), "<ms>"),
    (re.compile(r"\bin \d+(\.\d+)? s\b"), "in <seconds> s"),
    (re.compile(r"\b\d+(\.\d+)? MB/s\b"), "<rate> MB/s"),
    # a port chosen for the run, on a command line or in a message
    (re.compile(r"--port \d+"), "--port <port>"),
    (re.compile(r"\bport \d+ on "), "port <port> on "),
    # temporary directories made with tempfile.mkdtemp(prefix=...)
    # (only under a temporary root: /hub/api/groups/demo-teaching-team is not one)
    (re.compile(r"(?:/tmp|/var/tmp|/[\w./-]*/_build/hubs)(?:/[\w.-]+)*/([a-z][\w-]*-)[\w]{8}\b"), r"<tmp>/\1XXXXXXXX"),
    # process ids
    (re.compile(r"\bpid \d+"), "pid <pid>"),
    # whom local servers run as depends on how and where the hub was started (docs/security.md)
    (
        re.compile(r"user servers run as: (?:a Unix account of their own each|this hub's own account)[^\n]*"),
        "user servers run as: <on the local target, this depends on the machine: see Security foundations>",
    ),
]


def scrub_text(text: str) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text
