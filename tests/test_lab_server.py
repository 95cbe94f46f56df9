"""The course's Jupyter server extension (dlcourse/lectures/server.py): every server started from
the course's environment sends kernel messages over websockets with Nagle's algorithm off, and a
kernel still answers through them."""
import asyncio
import json
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import REPO
from labserver import jupyter
from tornado.websocket import websocket_connect

CONFIG = REPO / "jupyter-config" / "dlcourse.json"
INSTALLED = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "dlcourse.json"

SHOW_CLASS = """
from jupyter_server.serverapp import ServerApp
app = ServerApp()
app.initialize(["--ServerApp.port=0", "--no-browser", "--allow-root", *{args!r}])
print(app.web_app.settings["kernel_websocket_connection_class"].__qualname__)
"""


def connection_class(tmp_path, *args):
    """The kernel websocket connection class of a server made from the course's environment."""
    env = {"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SHOW_CLASS.format(args=list(args))], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()[-1]


def test_the_environment_enables_the_extension_as_the_repository_says():
    assert INSTALLED.exists(), f"{INSTALLED} is missing: `make setup` copies {CONFIG.relative_to(REPO)} there"
    assert json.loads(INSTALLED.read_text()) == json.loads(CONFIG.read_text())


def test_servers_use_the_no_delay_connection_unless_told_otherwise(tmp_path):
    assert connection_class(tmp_path) == "NoDelayConnection"
    plain = "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection"
    assert connection_class(tmp_path, f"--ServerApp.kernel_websocket_connection_class={plain}") == \
        "ZMQChannelsWebsocketConnection"


async def execute(url, code):
    """Run `code` in a kernel through the server's websocket; the stream text it printed."""
    ws = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": "test",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    printed, replied, idle = "", False, False
    while not (replied and idle):  # the reply (shell) and the output (iopub) come in either order
        msg = json.loads(await asyncio.wait_for(ws.read_message(), timeout=60))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        printed += msg["content"]["text"] if msg["msg_type"] == "stream" else ""
        replied = replied or msg["msg_type"] == "execute_reply"
        idle = idle or (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle")
    ws.close()
    return printed


def test_a_kernel_answers_through_the_no_delay_websocket(tmp_path):
    with jupyter("jupyter_server", tmp_path, tmp_path / "server") as server:
        kernel = server.call("/api/kernels", method="POST", body={"name": "python3"})
        try:
            url = f"{server.url.replace('http', 'ws')}/api/kernels/{kernel['id']}/channels?token={server.token}"
            with ThreadPoolExecutor(1) as pool:  # a loop of its own: Playwright's sync API runs one in this thread
                assert pool.submit(asyncio.run, execute(url, "print(6 * 7)")).result() == "42\n"
        finally:
            server.call(f"/api/kernels/{kernel['id']}", method="DELETE")
        log = server.log.read_text()
    assert "dlcourse.lectures.server | extension was successfully loaded" in log, log[-2000:]
