"""The command line: ``mock-efidem serve`` and ``mock-efidem wsdl``."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mock_efidem import __version__, logs
from mock_efidem.collector import FreezeOldMessages
from mock_efidem.domain.store import DEFAULT_MAX_MESSAGES
from mock_efidem.journal import DEFAULT_MAX_ENTRIES
from mock_efidem.logs import LOG_FORMATS
from mock_efidem.settings import (
    DEFAULT_HOST,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_NAMESPACE,
    DEFAULT_PORT,
    DEFAULT_STORE_PREFIX,
    MEMORY_STORE,
    Settings,
)

if TYPE_CHECKING:
    from mock_efidem.scenario.loader import Problem
    from mock_efidem.scenario.model import Scenario
    from mock_efidem.scenario.watch import ScenarioWatcher
    from mock_efidem.server import MockServer

CANONICAL_PUBLIC_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/soap"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock-efidem", description=__doc__)
    parser.add_argument("--version", action="version", version=f"mock-efidem {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve the SOAP service, DQE and /_mock/",
        description="Every option can also come from the environment variable named "
        "in its help; the command line wins.",
    )
    option = _EnvironmentOptions(serve)
    option("--host", DEFAULT_HOST, str, "address to listen on")
    option("--port", DEFAULT_PORT, _port, "port; 0 takes a free one")
    option("--scenario", None, _scenario, "a scenario YAML file, or a shipped scenario's name")
    option(
        "--watch",
        False,
        _yes_no,
        "reload the --scenario file when it changes",
        nargs="?",
        const=True,
        metavar="yes|no",
    )
    option("--namespace", DEFAULT_NAMESPACE, str, "target namespace the WSDL declares")
    option("--public-url", None, str, "the address the WSDL announces; none: each request's")
    option("--seed", None, int, "seed for ids and generated data")
    option(
        "--max-messages", DEFAULT_MAX_MESSAGES, _positive, "messages kept (oldest finished evicted)"
    )
    option("--max-connections", DEFAULT_MAX_CONNECTIONS, _positive, "connections served at once")
    option(
        "--idle-timeout", DEFAULT_IDLE_TIMEOUT, _seconds, "seconds before an idle connection closes"
    )
    option("--admin-token", None, str, "require 'Authorization: Bearer TOKEN' on /_mock/")
    option("--journal-size", DEFAULT_MAX_ENTRIES, _positive, "calls the journal keeps")
    option(
        "--journal-bytes", "64MiB", _size, "what the journal's entries may weigh in all (K, M, G)"
    )
    option(
        "--journal-body-limit", "64KiB", _size, "each body is journalled up to this size (K, M, G)"
    )
    option("--log-level", "INFO", _log_level, "DEBUG, INFO (a line per call), WARNING, ERROR…")
    option("--log-format", "text", _log_format, "text, or json: one JSON object per line")
    option(
        "--debug-spyne",
        False,
        _yes_no,
        "let spyne's own log through at --log-level (it stays at WARNING otherwise)",
        nargs="?",
        const=True,
        metavar="yes|no",
    )
    option("--store", MEMORY_STORE, _store, "memory, or a redis://, rediss:// or unix:// URL")
    option("--store-prefix", DEFAULT_STORE_PREFIX, _prefix, "the start of every key in the store")
    option("--workers", 1, _positive, "processes serving the port (more than 1: a shared --store)")
    # A child of --workers serves the socket its parent bound, and tells it on the other
    # that it serves (mock_efidem/workers.py).
    serve.add_argument("--listen-fd", type=_descriptor, help=argparse.SUPPRESS)
    serve.add_argument("--parent-fd", type=_descriptor, help=argparse.SUPPRESS)

    check = commands.add_parser("check", help="validate scenario files (or shipped names)")
    check.add_argument("files", nargs="+", metavar="FILE")

    wsdl = commands.add_parser("wsdl", help="print the WSDL (to regenerate wsdl/efidem.wsdl)")
    wsdl.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="target namespace")
    wsdl.add_argument(
        "--public-url", default=CANONICAL_PUBLIC_URL, help="the service address it announces"
    )
    return parser


class _EnvironmentOptions:
    """Adds ``--name`` whose default comes from ``MOCK_EFIDEM_NAME`` when set (checked by
    the same type, so a bad value is a usage error), and says both in the help."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def __call__(
        self, flag: str, default: Any, kind: Callable[[str], Any], text: str, **more: Any
    ) -> None:
        variable = "MOCK_EFIDEM_" + flag.removeprefix("--").replace("-", "_").upper()
        given = os.environ.get(variable)
        shown = "none" if default is None else default
        self.parser.add_argument(
            flag,
            type=kind,
            default=given if given not in (None, "") else default,
            help=f"{text} (env {variable}; default {shown})".replace("%", "%%"),
            **more,
        )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(LOG_LEVELS)}, not {text!r}")
    return text.upper()


def _scenario(text: str) -> Path | str:
    """A scenario file, else a shipped scenario's name."""
    from mock_efidem.scenario.loader import ScenarioError, resolve_scenario

    try:
        return resolve_scenario(text)
    except ScenarioError as error:
        raise argparse.ArgumentTypeError(error.problems[0].message) from None


YES, NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _yes_no(text: str) -> bool:
    if text.lower() not in (*YES, *NO):
        raise argparse.ArgumentTypeError(
            f"must be yes or no (or 1/0, true/false, on/off), not {text!r}"
        )
    return text.lower() in YES


def _log_format(text: str) -> str:
    if text.lower() not in LOG_FORMATS:
        raise argparse.ArgumentTypeError(f"must be text or json, not {text!r}")
    return text.lower()


_SIZE = re.compile(r"([0-9]+)\s*([KMG]?)(?:I?B)?", re.IGNORECASE)


def _size(text: str) -> int:
    """A size in bytes: ``65536``, ``64K``, ``64KiB``, ``64MB`` (powers of 1,024)."""
    found = _SIZE.fullmatch(text.strip())
    size = int(found.group(1)) * 1024 ** " KMG".index(found.group(2).upper() or " ") if found else 0
    if not 1024 <= size <= 2**40:
        raise argparse.ArgumentTypeError(f"must be a size from 1KiB to 1TiB (64MiB), not {text!r}")
    return size


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, not {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0, not {text!r}")
    return int(text)


STORE_SCHEMES = ("redis", "rediss", "unix")


def _store(text: str) -> str:
    """``memory``, or a Redis URL; a bad one is told by its scheme only (a URL may hold a
    password)."""
    if text == MEMORY_STORE:
        return text
    url = urlsplit(text)
    if url.scheme not in STORE_SCHEMES:
        given = f"a URL of scheme {url.scheme!r}" if url.scheme else repr(text)
        raise argparse.ArgumentTypeError(
            f"must be memory or a redis://, rediss:// or unix:// URL, not {given}"
        )
    if not (url.path if url.scheme == "unix" else url.hostname):
        named = "a socket's path" if url.scheme == "unix" else "a host"
        raise argparse.ArgumentTypeError(f"a {url.scheme}:// URL must name {named}")
    return text


def _prefix(text: str) -> str:
    if not text or any(character.isspace() for character in text):
        raise argparse.ArgumentTypeError(f"must be a word without spaces, not {text!r}")
    return text


def _descriptor(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a file descriptor's number, not {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"must be seconds from 0.1 to 3600, not {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    arguments = build_parser().parse_args(argv)
    if arguments.command == "wsdl":
        return _print_wsdl(arguments)
    if arguments.command == "check":
        return _check(arguments.files)
    refusal = _refusal(arguments)
    if refusal is not None:
        print(f"mock-efidem serve: error: {refusal}", file=sys.stderr)
        return 2  # a usage error, as argparse's own
    logs.configure(arguments.log_level, arguments.log_format, arguments.debug_spyne)
    if arguments.workers > 1 and arguments.listen_fd is None:
        return _supervise(arguments, argv[argv.index("serve") + 1 :])
    return _serve(arguments)


def _refusal(arguments: argparse.Namespace) -> str | None:
    """What makes serve's options unusable together, if anything."""
    if arguments.watch and not isinstance(arguments.scenario, Path):
        return "--watch needs --scenario FILE (a file: a shipped scenario never changes)"
    if arguments.workers > 1 and arguments.store == MEMORY_STORE:
        return (
            f"--workers {arguments.workers} needs a shared store: with --store memory each "
            "process would keep a world of its own, and their state would diverge between "
            "processes (a message sent through one unknown to the next); "
            "use --store redis://HOST:PORT/DB"
        )
    return None


def _supervise(arguments: argparse.Namespace, serve_arguments: Sequence[str]) -> int:
    """The parent of ``--workers``: its children run serve with the same options."""
    from mock_efidem import workers

    settings = _settings(arguments)
    command = [sys.executable, "-m", "mock_efidem", "serve", *serve_arguments]
    return workers.supervise(settings, command, lambda port: _announce(settings, port))


def _check(files: Sequence[str]) -> int:
    """Each problem as FILE:LINE:COLUMN: message; exit 1 if any file has one."""
    from mock_efidem.scenario.loader import ScenarioError, load_file

    failed = False
    for given in files:
        try:
            scenario = load_file(given)
        except ScenarioError as error:
            failed = True
            for problem in error.problems:
                print(_placed(given, problem), file=sys.stderr)
            continue
        print(f"{given}: ok (scenario {scenario.name!r})")
    return 1 if failed else 0


def _placed(given: str | Path, problem: Problem) -> str:
    """FILE:LINE:COLUMN: message, or FILE: message for the file as a whole."""
    return f"{given}:{problem}" if problem.line else f"{given}: {problem.message}"


def _print_wsdl(arguments: argparse.Namespace) -> int:
    from mock_efidem.app import MockApplication
    from mock_efidem.world import World

    settings = Settings(namespace=arguments.namespace, public_url=arguments.public_url)
    application = MockApplication(World(settings), arguments.public_url)
    sys.stdout.write(application.soap.wsdl.for_address(arguments.public_url).decode("utf-8"))
    return 0


def _serve(arguments: argparse.Namespace) -> int:
    if arguments.parent_fd is not None:
        # A child of --workers, first thing: a Ctrl-C meant for the group is its parent's
        # to handle, which stops each child by SIGTERM.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    from mock_efidem.scenario.loader import ScenarioError
    from mock_efidem.server import MockServer

    settings = _settings(arguments)
    # Before the first load: an edit made while it loads is reloaded.
    watcher = _watcher(arguments.scenario) if arguments.watch else None
    try:
        server = MockServer(settings)
    except ScenarioError as error:
        for problem in error.problems:
            print(_placed(arguments.scenario, problem), file=sys.stderr)
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
    if watcher is not None:
        watcher.on_loaded = _reloading(server, arguments.scenario)  # the server exists now
        watcher.start()
    if arguments.parent_fd is None:
        _announce(settings, server.port)
    else:  # a child of --workers: its parent announces the address
        from mock_efidem.workers import serving

        serving(arguments.parent_fd)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


def _settings(arguments: argparse.Namespace) -> Settings:
    return Settings(
        host=arguments.host,
        port=arguments.port,
        # A shipped scenario's name as a Path: loading resolves it like a file's path.
        scenario=Path(arguments.scenario) if arguments.scenario is not None else None,
        namespace=arguments.namespace,
        public_url=arguments.public_url,
        seed=arguments.seed,
        max_messages=arguments.max_messages,
        max_connections=arguments.max_connections,
        idle_timeout=arguments.idle_timeout,
        admin_token=arguments.admin_token,
        journal_size=arguments.journal_size,
        journal_bytes=arguments.journal_bytes,
        journal_body_limit=arguments.journal_body_limit,
        store=arguments.store,
        store_prefix=arguments.store_prefix,
        workers=arguments.workers,
        listen_fd=arguments.listen_fd,
    )


def _announce(settings: Settings, port: int) -> None:
    """The listening line first, always: tests and supervisors read the address there."""
    base_url, soap_url = f"http://{settings.public_host}:{port}", settings.soap_url(port)
    print(f"mock-efidem listening on {base_url}", flush=True)
    print(f"  SOAP endpoint {soap_url} (WSDL: {soap_url}?wsdl)", flush=True)
    print(f"  inbox {base_url}/_mock/inbox", flush=True)


def _watcher(path: Path) -> ScenarioWatcher:
    """Watching from now on; what it loads goes nowhere until ``on_loaded`` is set."""
    from mock_efidem.scenario.watch import ScenarioWatcher, log_broken

    return ScenarioWatcher(path, on_loaded=lambda scenario: None, on_broken=log_broken(path))


def _reloading(server: MockServer, path: Path) -> Callable[[Scenario], None]:
    def reload(scenario: Scenario) -> None:
        if server.world.reload(scenario):
            logging.getLogger(__name__).info("%s: reloaded (scenario %r)", path, scenario.name)

    return reload
