"""The simulator over HTTP: one aiohttp endpoint for every service, dispatched on X-Amz-Target."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable

from aiohttp import web

from smtui.sim.faults import GARBAGE, RESET, THROTTLE, FaultInjector, credential_error, fault_error
from smtui.sim.log_group import resource_arn
from smtui.sim.operations import HANDLERS
from smtui.sim.prices import REGIONS as PRICE_REGIONS
from smtui.sim.query import answer as xml_answer
from smtui.sim.query import decode as decode_query
from smtui.sim.query import error as xml_error
from smtui.sim.query import is_query
from smtui.sim.query import parse as parse_query
from smtui.sim.quotas import signed_key, signed_region
from smtui.sim.regions import Regions
from smtui.sim.simulator import Simulator
from smtui.sim.wire import (
    CLOUDWATCH,
    PROTOCOLS,
    SAGEMAKER,
    Protocol,
    SimError,
    decode_request,
    error_body,
    error_headers,
    operation_model,
    parse_body,
    request_id,
    serialize,
)

log = logging.getLogger(__name__)

#: What a proxy in front of the service sends when the service behind it is gone.
_BAD_GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"


def make_app(simulator: Simulator | Regions, injector: FaultInjector | None = None) -> web.Application:
    """The aiohttp application answering for ``simulator`` (or for each of several regions, as the request's
    signature says), with the faults ``injector`` decides."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        fault, delay = injector.roll() if injector is not None else (None, 0.0)
        if delay:
            await asyncio.sleep(delay)
        if fault == RESET:
            # The connection drops before any answer: the client sees it closed mid-request.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never sent: the connection is gone
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, name = target.partition(".")
        protocol = PROTOCOLS.get(prefix)
        # CloudWatch's older clients speak the query protocol: no target, a form-encoded Action (smtui.sim.query).
        legacy = not target and is_query(request.headers.get("Content-Type", ""), body)
        moment = simulator.clock.now()
        try:
            raw: object = json.loads(body) if body else {}
        except ValueError:
            raw = body.decode("utf-8", "replace")
        rid = request_id(target, raw, moment)
        flat: dict[str, str] = {}
        headers = {
            # The same call at the same simulated moment gets the same id, so frozen-clock screens repeat.
            "x-amzn-RequestId": rid,
            "Content-Type": "text/xml" if legacy else (protocol or SAGEMAKER).content_type,
        }
        try:
            if legacy:
                protocol = CLOUDWATCH
                name, flat = parse_query(body)
            if protocol is None:
                raise SimError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
            model = operation_model(protocol, name)
            authorization = request.headers.get("Authorization", "")
            # The region and the account are in the signature: the one simulator answering for them answers.
            target = simulator.route(signed_key(authorization), signed_region(authorization, simulator.region))
            resource = resource_arn(target.region, target.account_id, raw) if protocol.service == "logs" else None
            denied = credential_error(authorization, protocol.service, name, resource)
            if denied is not None:
                raise denied
            if protocol.service == "pricing" and signed_region(authorization, target.region) not in PRICE_REGIONS:
                # The Price List has no endpoint in other regions: a client asking there never connects.
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)  # never sent
            if not target.quotas.admit(target.account_id, signed_region(authorization, target.region), name):
                raise fault_error(THROTTLE, protocol.service, False)
            if fault == GARBAGE:
                if injector is not None and injector.variant():
                    return web.Response(status=502, body=_BAD_GATEWAY, content_type="text/html")
                # A 200 whose body was cut short: not valid JSON (nor XML).
                return web.Response(
                    body=b"<GetMetricDataResponse" if legacy else b'{"TrainingJobName": "', headers=headers
                )
            if fault is not None:
                raise fault_error(fault, protocol.service, injector is not None and injector.variant())
            method = HANDLERS.get((protocol.service, name))
            if method is None:
                raise SimError(
                    "UnknownOperationException",
                    f"{target or name} is not simulated; the simulator answers {', '.join(op for _, op in HANDLERS)}",
                )
            request_params = decode_query(flat, model.input_shape) if legacy else parse_body(body)
            params = decode_request(request_params, model.input_shape, protocol)
            result = getattr(target, method)(params)
            if legacy:
                return web.Response(body=xml_answer(model, result, rid), headers=headers)
            payload = json.dumps(serialize(result, model.output_shape)).encode()
            return web.Response(body=payload, headers=headers)
        except SimError as error:
            return _failure(error, protocol, legacy, rid, headers)
        except Exception:
            log.exception("simulator failed to answer %s", target or name)
            error = SimError("InternalFailure", "The request processing has failed because of an unknown error.", 500)
            return _failure(error, protocol, legacy, rid, headers)

    app = web.Application(client_max_size=8 * 1024 * 1024)
    # botocore posts to the path of the endpoint URL, which is "/" unless the user gave one.
    app.router.add_post("/{path:.*}", handle)
    return app


def _failure(
    error: SimError, protocol: Protocol | None, legacy: bool, rid: str, headers: dict[str, str]
) -> web.Response:
    """An error answer, as the request's protocol words it."""
    if legacy:
        return web.Response(status=error.status, body=xml_error(error, rid), headers=headers)
    headers.update(error_headers(error, protocol))
    return web.Response(status=error.status, body=error_body(error), headers=headers)


class SimulatorServer:
    """The simulator (or several regions') listening on ``host``:``port`` (``port=0`` picks a free one)."""

    def __init__(
        self,
        simulator: Simulator | Regions,
        host: str = "127.0.0.1",
        port: int = 0,
        injector: FaultInjector | None = None,
    ) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self.injector = injector
        #: "http://HOST:PORT" once started.
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Start listening; returns the endpoint URL."""
        runner = web.AppRunner(make_app(self.simulator, self.injector), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        sockets = site._server.sockets if site._server is not None else ()  # type: ignore[union-attr]
        port = sockets[0].getsockname()[1] if sockets else self.port
        # A restart (after stop()) listens on the same port, as a service that comes back would.
        self.port = port
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


async def serve(
    simulator: Simulator | Regions,
    host: str = "127.0.0.1",
    port: int = 4566,
    ready: Callable[[str], None] | None = None,
    injector: FaultInjector | None = None,
) -> None:
    """Serve until cancelled (``smtui sim``); ``ready`` is called with the URL once listening."""
    server = SimulatorServer(simulator, host, port, injector)
    url = await server.start()
    try:
        if ready is not None:
            ready(url)
        await asyncio.Event().wait()
    finally:
        await server.stop()


class RunningSimulator:
    """A simulator served from its own event loop in a daemon thread; a context manager."""

    def __init__(
        self,
        simulator: Simulator | Regions,
        host: str = "127.0.0.1",
        port: int = 0,
        injector: FaultInjector | None = None,
    ) -> None:
        self.simulator = simulator
        self.injector = injector
        self.server = SimulatorServer(simulator, host, port, injector)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="smtui-simulator", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.url = self._loop.run_until_complete(self.server.start())
        except BaseException as exc:  # handed to the thread that called start()
            self._error = exc
            self._started.set()
            self._loop.close()
            return
        self._started.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self.server.stop())
            self._loop.close()

    def start(self) -> RunningSimulator:
        """Start the thread and wait until the server listens."""
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the simulator did not start listening within 30 seconds")
        if self._error is not None:
            raise self._error
        return self

    def kill(self) -> None:
        """Stop listening and drop every open connection, as an endpoint that goes away; see :meth:`revive`."""
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(30)

    def revive(self) -> None:
        """Listen again on the same address after :meth:`kill`."""
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(30)

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (idempotent)."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_in_thread(
    simulator: Simulator | Regions, host: str = "127.0.0.1", port: int = 0, injector: FaultInjector | None = None
) -> RunningSimulator:
    """Serve ``simulator`` from a background thread; use as a context manager or call ``stop()``."""
    return RunningSimulator(simulator, host, port, injector).start()
