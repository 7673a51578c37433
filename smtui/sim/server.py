"""The simulator over HTTP: one aiohttp endpoint for every service, dispatched on X-Amz-Target."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Callable

from aiohttp import web

from smtui.sim.simulator import Simulator
from smtui.sim.wire import CONTENT_TYPE, SERVICE_OF, SimError, error_body, operation, serialize

_REQUEST_IDS = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
HANDLERS = {
    "DescribeTrainingJob": "describe_training_job",
    "ListTrainingJobs": "list_training_jobs",
    "StopTrainingJob": "stop_training_job",
    "GetMetricData": "get_metric_data",
}


def make_app(simulator: Simulator) -> web.Application:
    """The aiohttp application answering for ``simulator``."""

    async def handle(request: web.Request) -> web.Response:
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, name = target.partition(".")
        body = await request.read()
        content_type = CONTENT_TYPE.get(prefix, "application/x-amz-json-1.1")
        # Stable for the same call at the same simulated time, so frozen-clock screens repeat exactly.
        request_id = str(uuid.uuid5(_REQUEST_IDS, f"{target}|{body.decode('utf-8', 'replace')}|{simulator.clock.now().isoformat()}"))
        headers = {"x-amzn-RequestId": request_id, "Content-Type": content_type}
        try:
            service = SERVICE_OF.get(prefix)
            if service is None or name not in HANDLERS:
                raise SimError("UnknownOperationException", f"Unknown operation {target or '(none)'}")
            model = operation(service, name)
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                raise SimError("SerializationException", "Start of structure or map found where not expected.") from None
            if not isinstance(params, dict):
                raise SimError("SerializationException", "Expected a JSON object.")
            result = getattr(simulator, HANDLERS[name])(params)
            payload = json.dumps(serialize(result, model.output_shape)).encode()
            return web.Response(body=payload, headers=headers)
        except SimError as error:
            if prefix == "GraniteServiceVersion20100801":
                headers["x-amzn-query-error"] = f"{error.code};Sender"
            return web.Response(status=error.status, body=error_body(error), headers=headers)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/", handle)
    return app


class SimulatorServer:
    """The simulator listening on a loopback port (``port=0`` picks a free one)."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Start listening; returns the endpoint URL."""
        self._runner = web.AppRunner(make_app(self.simulator), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1] if site._server and site._server.sockets else self.port  # type: ignore[union-attr]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 4566,
                ready: Callable[[str], None] | None = None) -> None:
    """Serve until cancelled (``smtui sim``)."""
    server = SimulatorServer(simulator, host, port)
    url = await server.start()
    if ready is not None:
        ready(url)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


class RunningSimulator:
    """A simulator served from its own event loop in a daemon thread."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = SimulatorServer(simulator, host, port)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="smtui-sim", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.url = self._loop.run_until_complete(self.server.start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self.server.stop())
        self._loop.close()

    def start(self) -> "RunningSimulator":
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_in_thread(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
    """Serve ``simulator`` from a background thread; use as a context manager or call ``stop()``."""
    return RunningSimulator(simulator, host, port).start()
