"""Executes a notebook through a running Jupyter server, as JupyterLab does: it starts a kernel
with the REST API (POST /api/kernels) and sends each code cell as an execute_request over the
kernel's websocket (/api/kernels/ID/channels), collecting the outputs into the notebook. It
writes the executed copy and exits non-zero when a cell not tagged raises-exception fails or
one tagged so does not.

Runs in the server's own Python (it needs only tornado and nbformat, which jupyter_server has).

usage: python run_notebook_remote.py URL TOKEN KERNEL NOTEBOOK OUTPUT
"""

import asyncio
import json
import sys
import uuid
from datetime import datetime, timezone

import nbformat
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

CELL_TIMEOUT_S = 120


def request(msg_type, content, session):
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": session,
            "username": "binder-test",
            "version": "5.3",
            "date": datetime.now(timezone.utc).isoformat(),
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def output_of(msg):
    """The nbformat output a message adds to its cell, or None."""
    kind, content = msg["msg_type"], msg["content"]
    if kind == "stream":
        return nbformat.v4.new_output("stream", name=content["name"], text=content["text"])
    if kind == "display_data":
        return nbformat.v4.new_output("display_data", data=content["data"], metadata=content["metadata"])
    if kind == "execute_result":
        return nbformat.v4.new_output(
            "execute_result",
            data=content["data"],
            metadata=content["metadata"],
            execution_count=content["execution_count"],
        )
    if kind == "error":
        return nbformat.v4.new_output(
            "error", ename=content["ename"], evalue=content["evalue"], traceback=content["traceback"]
        )
    return None


async def execute(ws, cell, session):
    """Runs one cell; returns the status of its execute_reply."""
    req = request("execute_request", {
        "code": cell.source,
        "silent": False,
        "store_history": True,
        "user_expressions": {},
        "allow_stdin": False,
        "stop_on_error": True,
    }, session)
    await ws.write_message(json.dumps(req))
    cell.outputs = []
    displays = {}  # display id -> the outputs shown under it
    status, idle = None, False
    while status is None or not idle:
        raw = await asyncio.wait_for(ws.read_message(), CELL_TIMEOUT_S)
        if raw is None:
            raise RuntimeError("the kernel's websocket closed")
        if isinstance(raw, bytes):
            # The binary framing (a message with buffers, e.g. a comm's): not an output.
            continue
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != req["header"]["msg_id"]:
            continue
        if msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
        elif msg["msg_type"] == "status":
            idle = msg["content"]["execution_state"] == "idle"
        elif msg["msg_type"] == "update_display_data":
            # Replaces the outputs shown under its display id, as JupyterLab does.
            shown = msg["content"].get("transient", {}).get("display_id")
            for out in displays.get(shown, []):
                out["data"], out["metadata"] = msg["content"]["data"], msg["content"]["metadata"]
        else:
            out = output_of(msg)
            if out is not None:
                cell.outputs.append(out)
                shown = msg["content"].get("transient", {}).get("display_id")
                if shown:
                    displays.setdefault(shown, []).append(out)
    return status


async def main(url, token, kernel, source, target):
    nb = nbformat.read(source, as_version=4)
    headers = {"Authorization": f"token {token}"}
    http = AsyncHTTPClient()
    reply = await http.fetch(HTTPRequest(
        f"{url}/api/kernels", method="POST", headers=headers, body=json.dumps({"name": kernel})
    ))
    kernel_id = json.loads(reply.body)["id"]
    ws_url = url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    failures = []
    try:
        ws = await websocket_connect(HTTPRequest(ws_url, headers=headers))
        session = uuid.uuid4().hex
        for n, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            status = await execute(ws, cell, session)
            expected = "error" if "raises-exception" in cell.metadata.get("tags", []) else "ok"
            if status != expected:
                failures.append(f"cell {n}: {status}, expected {expected}: {cell.outputs}")
                break
        ws.close()
    finally:
        await http.fetch(HTTPRequest(f"{url}/api/kernels/{kernel_id}", method="DELETE", headers=headers))
        nbformat.write(nb, target)
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__.strip().splitlines()[-1])
    asyncio.run(main(*sys.argv[1:]))
