"""What several commands share: an issuer's profile, chain and account; credential files from arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

from microcred.cli._app import AppContext
from microcred.errors import ConfigError, InvalidInputError
from microcred.registry.ledger import registry_client

if TYPE_CHECKING:
    from microcred.did import EthrResolver
    from microcred.registry.ledger import RegistryClient


@dataclass
class IssuerSession:
    profile: Any
    chain: Any
    account: Any  # eth-account LocalAccount

    @property
    def registry(self) -> RegistryClient:
        return registry_client(self.chain, self.account, address=self.profile.registry)


def issuer_session(app: AppContext, name: str) -> IssuerSession:
    """Load issuer ``name``, connect to its chain and unlock its chain account (funded on dev chains)."""
    from microcred.did import Keystore
    from microcred.registry.issuance import IssuerStore

    profile = IssuerStore(app.home).load(name)
    chain_id, registry, account_address = profile.require_chain()
    if not profile.account_key:
        raise ConfigError(f"issuer {name!r} has no account key in the keystore (--account-key): it cannot send "
                          "transactions")
    chain = app.chain()
    if chain.caip2 != chain_id:
        raise ConfigError(f"issuer {name!r} lives on {chain_id}, but --network {app.network} is {chain.caip2}")
    account = Keystore(app.home / "keys").load_eth_account(profile.account_key,
                                                          app.passphrase(f"unlock the chain key of {name!r}"))
    if account.address.lower() != account_address.lower():
        raise ConfigError(f"the key {profile.account_key!r} is not the account {account_address} of issuer {name!r}")
    if chain.is_dev:
        chain.fund(account.address)
    return IssuerSession(profile, chain, account)


def tx_journal(app: AppContext, session: IssuerSession) -> Any:
    """The journal of the transactions the issuer's account sends for status changes and bindings, beside its
    anchor journal in ``<home>/state/<issuer>/`` (a :class:`microcred.chain.TxJournal`)."""
    from microcred.chain import TxJournal
    from microcred.registry.issuance import IssuerStore

    directory = IssuerStore(app.home).journal_dir(session.profile.name)
    return TxJournal(directory / f"tx-journal-{session.account.address.lower()}.json")


def settle_journal(app: AppContext, journal: Any, sender: Any) -> None:
    """Finish what a killed run left between "sent" and "confirmed", saying what it was."""
    from microcred.cli._node import persist_confirmed

    settled = journal.settle(sender)
    for entry in settled:
        outcome = {"done": "confirmed now", "failed": "mined but reverted",
                   "replaced": "never mined (its nonce went to another transaction)"}[entry["stage"]]
        app.info(f"an earlier run left {entry['what']} (tx {entry['txHash']}) unconfirmed: {outcome}")
    if settled:
        persist_confirmed(app)


def credential_files(paths: Iterable[str]) -> list[Path]:
    """Expand FILE|DIR arguments into credential files (a directory: its *.json, dotfiles and journals skipped)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.glob("*.json")
                              if not p.name.startswith(".") and not p.name.startswith("anchor-journal")))
        elif path.exists():
            out.append(path)
        else:
            raise InvalidInputError(f"{raw}: no such file or directory")
    if not out:
        raise InvalidInputError("no credential files found in " + ", ".join(map(str, paths)))
    return out


def endpoint_contexts(app: AppContext, rpcs: tuple[str, ...]) -> list[AppContext]:
    """One app context per RPC endpoint of --rpc (same home and network), to ask each the same question."""
    contexts = []
    for url in rpcs:
        network = app.network if not app.network.startswith(("http://", "https://")) else url
        contexts.append(AppContext(home=app.home, network=network, json_output=app.json_output, debug=app.debug,
                                   rpc_urls=(url,)))
    return contexts


from microcred.registry.verify import EndpointsDisagreeError  # noqa: E402, F401  (the CLI's name for it)


@dataclass
class ConnectedEndpoint:
    """One ``--rpc`` endpoint (or the ``--network`` one), connected read-only, or why it could not be."""

    name: str
    chain: Any | None
    problem: str | None = None
    #: the chain it serves, when it answered but has no registry where this home expects one
    caip2: str | None = None


def _chain_id_of(url: str) -> int:
    from web3 import HTTPProvider, Web3

    from microcred.chain import rpc_guard

    with rpc_guard("asking the chain id", endpoint=url):
        return int(Web3(HTTPProvider(url, request_kwargs={"timeout": 15})).eth.chain_id)


def connect_endpoints(app: AppContext) -> list[ConnectedEndpoint]:
    """Every endpoint of ``--rpc`` (or the one of ``--network``), each connected read-only (nothing deployed or
    sent). One that cannot be reached, serves another chain, or lacks the registry is kept with its problem."""
    from microcred.chain import NoContractError
    from microcred.errors import MicrocredError

    contexts = endpoint_contexts(app, app.rpc_urls) if app.rpc_urls else [app]
    out = []
    for ctx in contexts:
        name = ctx.rpc_urls[0] if ctx.rpc_urls else ctx.network
        try:
            chain = ctx.chain(read_only=True)
        except NoContractError as exc:  # it answers, but not with the contracts this home knows: an answer too
            url = name if name.startswith(("http://", "https://")) else None
            try:
                caip2 = f"eip155:{_chain_id_of(url)}" if url else None
            except MicrocredError:
                caip2 = None
            out.append(ConnectedEndpoint(name, None, f"cannot be used ({exc})", caip2=caip2))
            continue
        except MicrocredError as exc:
            out.append(ConnectedEndpoint(name, None, f"cannot be used ({exc})"))
            continue
        if not ctx.rpc_urls and ctx.network not in ("memory",):
            name = chain.endpoint
        out.append(ConnectedEndpoint(name, chain))
    return out


def ethr_resolver_of(chain: Any) -> EthrResolver | None:
    """A did:ethr resolver reading the ERC-1056 registry of ``chain`` (``None`` when it has none)."""
    import time

    from microcred.did import EthrResolver

    address = chain.addresses.get("EthereumDIDRegistry")
    if not address:
        return None

    def chain_now() -> float:  # "now" is the chain's time, so a change is seen as soon as it is mined
        return float(max(chain.w3.eth.get_block("latest")["timestamp"], int(time.time())))

    return EthrResolver(chain.w3, address, chain.chain_id, clock=chain_now)
