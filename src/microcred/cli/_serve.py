"""`microcred serve [--host] [--port] [--workers] [--trust FILE]`: the verification page and API over HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from microcred.cli._app import AppContext, cli, pass_app

if TYPE_CHECKING:
    from starlette.types import ASGIApp

#: what the worker processes of ``--workers`` read to rebuild the application (uvicorn imports it by name)
ENV_SERVE = "MICROCRED_SERVE_CONFIG"


def app_from_environment() -> ASGIApp:
    """The application of a worker process, configured by :data:`ENV_SERVE` (JSON written by ``serve``)."""
    import json

    from microcred.service import ServiceConfig, create_app

    spec = json.loads(os.environ[ENV_SERVE])
    app = AppContext(home=Path(spec["home"]), network=spec["network"], rpc_urls=tuple(spec["rpc"]))
    return create_app(ServiceConfig(app=app, trust=Path(spec["trust"]) if spec["trust"] else None,
                                    max_body=spec["max_body"], timeout=spec["timeout"], issuer=spec["issuer"],
                                    chain_ttl=spec["cache_ttl"], public_url=spec.get("public_url")))


def usable_cpus() -> int:
    """The CPUs this process may use: its CPU set (``taskset``, ``--cpuset-cpus``), bounded by its cgroup's CPU
    quota (``docker run --cpus``, systemd's ``CPUQuota``), else the machine's. One worker each (a worker verifies on
    one core at a time)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:  # cgroup v2: "<quota> <period>" or "max <period>"
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            count = min(count, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, count)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per CPU this process may use).")
@click.option("--trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Trust list of accreditation bodies (adds the accreditation check).")
@click.option("--max-body", default=2 * 1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body accepted, in bytes.")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds one verification may take (else 503), and a request body may take to arrive "
                   "(else 408).")
@click.option("--cache-ttl", default=5.0, show_default=True, type=click.FloatRange(0),
              help="Seconds a chain answer (an issuer's batches and statuses) is reused by a worker; 0: never. A "
                   "revocation is seen at most this long after its block.")
@click.option("--issuer", "issuer_name", default=None,
              help="Also serve this issuer's did:web document (at the path its DID names, e.g. "
                   "/.well-known/did.json), its Profile (/issuer) and status lists (/status/revocation, "
                   "/status/suspension), signed with its key (passphrase from MICROCRED_PASSPHRASE).")
@click.option("--public-url", default=None,
              help="The https URL the service is reached at (behind TLS): the OpenID4VCI issuer's identifier, "
                   "as `microcred offer --url` names it.")
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int | None, trust: Path | None, max_body: int,
          timeout: float, cache_ttl: float, issuer_name: str | None, public_url: str | None) -> None:
    """Serve the verification page (/) and API (/credentials/verify, /verify, /openapi.json, /healthz, /metrics).

    Configured like `verify`: --network, one or more --rpc, --trust. Nothing submitted is stored or logged.

    \b
    Example:
      microcred serve --network sepolia --rpc https://a.example --rpc https://b.example --port 8080
      curl -s localhost:8080/credentials/verify -H 'content-type: application/json' \\
           -d "{\\"verifiableCredential\\": $(cat ada.json)}"
    """
    import json

    import uvicorn

    from microcred.errors import ConfigError
    from microcred.service import run_workers, spreads_connections

    if app.network == "memory" and (workers or 1) > 1:
        raise ConfigError("--network memory lives in one process: use --workers 1 (or a real chain)")
    count = workers or (1 if app.network == "memory" else usable_cpus())
    spec = {"home": str(app.home), "network": app.network, "rpc": list(app.rpc_urls),
            "trust": str(trust) if trust else None, "max_body": max_body, "timeout": timeout,
            "cache_ttl": cache_ttl, "issuer": issuer_name, "public_url": public_url}
    if issuer_name:
        from microcred.registry.issuance import IssuerStore

        IssuerStore(app.home).load(issuer_name)  # a missing issuer is a clear error now, not in every worker
    os.environ[ENV_SERVE] = json.dumps(spec)
    app.info(f"serving the verification page on http://{host}:{port}/ ({count} worker{'s' * (count > 1)})")
    options: dict[str, Any] = {"host": host, "port": port, "access_log": False, "server_header": False,
                               "timeout_keep_alive": 5, "limit_concurrency": 200, "log_level": "warning"}
    if count == 1:
        uvicorn.run(app_from_environment(), **options)
    elif spreads_connections():  # one listening socket per worker: the kernel spreads the connections evenly
        code = run_workers(app_from_environment, host, port, count, options)
        if code:
            raise SystemExit(code)
    else:
        uvicorn.run("microcred.cli._serve:app_from_environment", factory=True, workers=count, **options)
