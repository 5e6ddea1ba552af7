"""The emulator as an HTTP server: moto's server with every service, plus the lineage extension."""

from __future__ import annotations

from moto.server import ThreadedMotoServer

from sagemaker_lineage_emulator.install import install


class EmulatorServer:
    """Serve on ``host:port`` (port 0 picks a free one) until :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        install()
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.host = host

    def start(self) -> EmulatorServer:
        self._server.start()
        return self

    @property
    def port(self) -> int:
        return int(self._server.get_host_and_port()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
