"""The command line: ``mock-efidem serve`` and ``mock-efidem wsdl``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_efidem import __version__
from mock_efidem.collector import FreezeOldMessages
from mock_efidem.domain.store import DEFAULT_MAX_MESSAGES
from mock_efidem.settings import (
    DEFAULT_HOST,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_NAMESPACE,
    DEFAULT_PORT,
    Settings,
)

CANONICAL_PUBLIC_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/soap"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock-efidem", description=__doc__)
    parser.add_argument("--version", action="version", version=f"mock-efidem {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the SOAP service, DQE and /_mock/")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 takes a free port")
    serve.add_argument("--scenario", type=Path, help="a scenario YAML file")
    _add_wsdl_options(serve, public_url_default=None)
    serve.add_argument("--seed", type=int, help="seed for ids and generated data")
    serve.add_argument(
        "--max-messages",
        type=_positive,
        default=DEFAULT_MAX_MESSAGES,
        help="messages kept; beyond, the oldest in a final status are evicted "
        "(default %(default)s)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive,
        default=DEFAULT_MAX_CONNECTIONS,
        help="connections served at once (default %(default)s)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=DEFAULT_IDLE_TIMEOUT,
        help="seconds before an idle kept-alive connection is closed (default %(default)s)",
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("MOCK_EFIDEM_ADMIN_TOKEN") or None,
        help="require 'Authorization: Bearer TOKEN' on /_mock/ (env MOCK_EFIDEM_ADMIN_TOKEN)",
    )
    serve.add_argument("--log-level", default="WARNING")

    check = commands.add_parser("check", help="validate scenario files")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")

    wsdl = commands.add_parser("wsdl", help="print the WSDL (to regenerate wsdl/efidem.wsdl)")
    _add_wsdl_options(wsdl, public_url_default=CANONICAL_PUBLIC_URL)
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0, not {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be seconds from 0.1 to 3600, not {text!r}")
    return seconds


def _add_wsdl_options(parser: argparse.ArgumentParser, public_url_default: str | None) -> None:
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="target namespace")
    parser.add_argument(
        "--public-url", default=public_url_default, help="the service address the WSDL announces"
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "wsdl":
        return _print_wsdl(arguments)
    if arguments.command == "check":
        return _check(arguments.files)
    return _serve(arguments)


def _check(files: Sequence[Path]) -> int:
    """Each problem as FILE:LINE:COLUMN: message; exit 1 if any file has one."""
    from mock_efidem.scenario.loader import ScenarioError, load_file

    failed = False
    for path in files:
        try:
            scenario = load_file(path)
        except ScenarioError as error:
            failed = True
            for problem in error.problems:
                print(f"{path}:{problem}", file=sys.stderr)
            continue
        print(f"{path}: ok (scenario {scenario.name!r})")
    return 1 if failed else 0


def _print_wsdl(arguments: argparse.Namespace) -> int:
    from mock_efidem.app import MockApplication
    from mock_efidem.world import World

    settings = Settings(namespace=arguments.namespace, public_url=arguments.public_url)
    application = MockApplication(World(settings), arguments.public_url)
    sys.stdout.write(application.soap.wsdl.for_address(arguments.public_url).decode("utf-8"))
    return 0


def _serve(arguments: argparse.Namespace) -> int:
    from mock_efidem.scenario.loader import ScenarioError
    from mock_efidem.server import MockServer

    logging.basicConfig(
        level=arguments.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings(
        host=arguments.host,
        port=arguments.port,
        scenario=arguments.scenario,
        namespace=arguments.namespace,
        public_url=arguments.public_url,
        seed=arguments.seed,
        max_messages=arguments.max_messages,
        max_connections=arguments.max_connections,
        idle_timeout=arguments.idle_timeout,
        admin_token=arguments.admin_token,
    )
    try:
        server = MockServer(settings)
    except ScenarioError as error:
        for problem in error.problems:
            print(f"{settings.scenario}:{problem}", file=sys.stderr)
        return 2
    # Installed before the listening line: a supervisor may stop us right after it.
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        server.start()
    except OSError as error:
        print(
            f"mock-efidem: cannot listen on {settings.host}:{settings.port}: {error}",
            file=sys.stderr,
        )
        return 2
    FreezeOldMessages(lambda: len(server.world.backend.store)).install()
    print(f"mock-efidem listening on {server.base_url}", flush=True)
    print(f"  SOAP endpoint {server.soap_url} (WSDL: {server.soap_url}?wsdl)", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()
    return 0
