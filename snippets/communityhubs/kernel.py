"""Run code in a user's kernel, the way a browser does: over a websocket through
the proxy to the user's server."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from .errors import CommunityHubsError
from .secretfiles import auth_headers


class KernelDied(CommunityHubsError, RuntimeError):
    """The kernel process ended mid-run, e.g. killed for using more memory than its limit."""


def run_in_kernel(
    hub_url: str, token: str, user: str, code: str, timeout: float = 60, keep: bool = False, kernel: str = "python3"
) -> str:
    """Start a `kernel` (a kernelspec's name) on `user`'s running server, run `code`, return its output
    text; `keep` leaves the kernel running afterwards with no one connected, as a closed tab does.

    Raises RuntimeError with the kernel's error if the code fails.
    """
    base = f"{hub_url.rstrip('/')}/user/{quote(user, safe='@~')}"  # as JupyterHub escapes: demo-zo%C3%AB, a@b.edu
    headers = auth_headers(token)
    resp = requests.post(f"{base}/api/kernels", headers=headers, json={"name": kernel}, timeout=timeout)
    resp.raise_for_status()
    kernel_id = resp.json()["id"]
    try:
        # A thread of its own: inside a notebook the kernel's event loop is already running.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _execute(base, kernel_id, headers, code, timeout)).result()
    finally:
        if not keep:
            requests.delete(f"{base}/api/kernels/{kernel_id}", headers=headers, timeout=timeout)


async def _execute(base: str, kernel_id: str, headers: dict[str, str], code: str, timeout: float) -> str:
    ws_url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(HTTPRequest(ws_url, headers=headers, connect_timeout=timeout))
    msg_id = uuid.uuid4().hex
    conn.write_message(json.dumps(_execute_request(msg_id, code)))
    output: list[str] = []
    try:
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise RuntimeError("the kernel's websocket closed before the code finished")
            msg = json.loads(raw)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] in ("restarting", "dead"):
                raise KernelDied("the kernel died while running the code (and is being restarted)")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                output.append(content["data"].get("text/plain", "") + "\n")
            elif kind == "error":
                raise RuntimeError(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(output)
    finally:
        conn.close()


def _execute_request(msg_id: str, code: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "",
            "session": uuid.uuid4().hex,
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
        },
        "channel": "shell",
    }
