"""Shared test helpers (moved from tests/registry/test_accreditation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from eth_account import Account
from eth_account.signers.local import LocalAccount
from microcred.registry.accreditation._client import AccreditationClient, Scope
import json
from pathlib import Path
from microcred.registry.anchoring._anchor import Anchorer
from microcred.registry.accreditation._trust import (
    parse_trust_list,
)
from tests.support.anchoring import make_credentials
from microcred.registry.ledger import registry_client


YEAR = 365 * 86400


MICRO = "MicroCredential"


def acc_client(chain, account: LocalAccount | None = None) -> AccreditationClient:
    return AccreditationClient(chain.w3, chain.address_of("AccreditationRegistry"),
                               sender=chain.sender(account) if account is not None else None, endpoint=chain.endpoint)


def chain_now(chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])


@dataclass
class World:
    """Two declared roots (DE, FR), an accreditation agency, a university and a stranger, all funded."""

    chain: object
    root_de: LocalAccount
    root_fr: LocalAccount
    agency: LocalAccount
    university: LocalAccount
    stranger: LocalAccount
    now: int

    def client(self, account: LocalAccount | None = None) -> AccreditationClient:
        return acc_client(self.chain, account)

    def reader(self) -> AccreditationClient:
        return acc_client(self.chain)

    def standard_chain(self, *, agency_scope=Scope(MICRO, 7, "06"), university_scope=Scope(MICRO, 6, "0613"),
                       university_until: int | None = None) -> tuple[int, int]:
        """root DE → agency → university; returns (agency's grant, university's grant)."""
        a = self.client(self.root_de).grant(self.agency.address, agency_scope, self.now - 3600, self.now + 2 * YEAR)
        u = self.client(self.agency).grant(self.university.address, university_scope, self.now - 3600,
                                           university_until or self.now + YEAR, a)
        return a, u


def make_world(chain) -> World:
    accounts = [Account.create() for _ in range(5)]
    for a in accounts:
        chain.fund(a.address)
    root_de, root_fr, agency, university, stranger = accounts
    acc_client(chain, root_de).declare_root("Akkreditierungsrat", "DE")
    acc_client(chain, root_fr).declare_root("Commission des titres d'ingénieur", "FR")
    return World(chain, root_de, root_fr, agency, university, stranger, chain_now(chain))


def pass_time(chain, seconds: int) -> None:
    """Let ``seconds`` of chain time pass, by moving the chain's clock (never by waiting)."""
    if chain.name == "memory":
        chain.w3.provider.ethereum_tester.time_travel(chain_now(chain) + seconds)
    else:  # anvil: move its clock, then mine an empty block, so calls (and gas estimates) run at the new time
        chain.w3.provider.make_request("evm_increaseTime", [seconds + 1])
        chain.w3.provider.make_request("evm_mine", [])




def root_entry(world: World, account, country: str, name: str, *, max_level: int = 8, fields=(),
               kinds=(MICRO,)) -> dict:
    return {"name": name, "country": country, "chain": world.chain.caip2,
            "registry": world.chain.address_of("AccreditationRegistry"), "account": account.address,
            "accepts": {"kinds": list(kinds), "maxLevel": max_level, "fields": list(fields)}}


def trust_de_fr(world: World, **de_accepts):
    return parse_trust_list({"version": 1, "roots": [
        root_entry(world, world.root_de, "DE", "Akkreditierungsrat", **de_accepts),
        root_entry(world, world.root_fr, "FR", "Commission des titres d'ingénieur"),
    ]})


def anchored_credentials(world: World, tmp_path: Path, n: int, *, issuer=None, first: int = 0) -> list[Path]:
    """``n`` credentials of the university (EQF 6, field 0613), anchored on the credential registry."""
    issuer = issuer or world.university
    reg = registry_client(world.chain, issuer)
    files = make_credentials(tmp_path / f"out-{issuer.address}", world.chain.caip2, reg.address, issuer.address,
                             range(first, first + n))
    for f in files:
        doc = json.loads(f.read_text())
        doc["credentialSubject"].update(credential()["credentialSubject"])
        f.write_text(json.dumps(doc))
    Anchorer(reg, tmp_path / f"journal-{issuer.address}", chain_caip2=world.chain.caip2).anchor(files)
    return files




def credential(world: World | None = None, *, level: int | None = 6,
               field: str | None = "0613 Software and applications development", kind: str = MICRO) -> dict:
    achievement: dict = {"achievementType": kind, "name": "Data Stewardship for Research"}
    if level is not None:
        achievement["alignment"] = [{"type": ["Alignment"], "targetName": f"EQF level {level}",
                                     "targetUrl": f"http://data.europa.eu/snb/eqf/{level}",
                                     "targetCode": str(level),
                                     "targetFramework": "European Qualifications Framework"}]
    else:
        achievement["levelNotApplicable"] = True
    if field is not None:
        achievement["fieldOfStudy"] = field
    doc = {"credentialSubject": {"achievement": achievement}}
    if world is not None:
        doc["credentialStatus"] = {"type": "MicrocredRegistryEntry2026", "chain": world.chain.caip2,
                                   "registry": world.chain.address_of("CredentialRegistry"),
                                   "issuerAccount": world.university.address, "statusIndex": 0}
    return doc


