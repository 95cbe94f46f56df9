"""A Jupyter server extension for the live demos: kernel messages sent to the browser at once.

Tornado leaves Nagle's algorithm on for a websocket unless the handler turns it off
(`WebSocketHandler.set_nodelay`), and jupyter_server does not. A small message written right after
another one (a demo's readout after the kernel's "busy" status) then waits for the browser's
delayed acknowledgement of the first: up to 40 ms on Linux, on a slider step of every demo.

The course's environment enables this extension
(``etc/jupyter/jupyter_server_config.d/dlcourse.json``), which sets jupyter_server's public setting
``ServerApp.kernel_websocket_connection_class`` to `NoDelayConnection` unless it is configured
already. ``bench/bench_browser_latency.py --nagle`` measures the browser with it turned off.
"""
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, with Nagle's algorithm off on its socket."""

    async def connect(self):
        self.websocket_handler.set_nodelay(True)
        return await super().connect()


def _jupyter_server_extension_points():
    return [{"module": "dlcourse.lectures.server"}]


def _link_jupyter_server_extension(serverapp):
    """Before the web application is made: use `NoDelayConnection` unless configured otherwise."""
    if "kernel_websocket_connection_class" not in serverapp.config.ServerApp:
        serverapp.kernel_websocket_connection_class = NoDelayConnection


def _load_jupyter_server_extension(serverapp):
    serverapp.log.debug("dlcourse: kernel websockets send without Nagle's delay")
