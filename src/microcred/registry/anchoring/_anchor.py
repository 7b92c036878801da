"""Anchoring signed credentials on chain: digest, Merkle batch, transaction, inclusion proof — crash-safe.

The digest of a credential is ``sha256(JCS(credential without anchor proofs))``: the signed credential, byte for
byte as JCS canonicalises it, so any change to a signed field or to its signature changes the digest. Leaves are
``keccak256(digest)`` and the tree is the sorted-pair keccak256 tree of
:mod:`microcred.registry.anchoring._merkle`, so the
same proof verifies on chain with ``verifyInclusion``.

Crash safety rests on a journal written (and fsynced) before anything leaves the process:

1. ``prepared``: the batch (root, range, files, leaves) and the *signed* transaction are journalled;
2. ``sent``: the signed bytes were broadcast (a re-broadcast of the same bytes is harmless: same nonce, same hash);
3. ``mined``: the receipt is journalled;
4. each file is rewritten atomically (temporary file, fsync, ``os.replace``) with the anchor proof added;
5. ``done``.

Run again after a kill at any point and :class:`Anchorer` resumes every unfinished journal entry first: it asks the
chain whether the root is anchored (it never pays for a root twice: the registry refuses a known root, and a
prepared transaction is re-sent, never re-signed with a new nonce, unless the chain says its nonce was used by
something else and the root is still not anchored). Files already carrying their anchor proof are skipped.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable, Iterable

from microcred._files import remove_stale_temporaries, write_json_atomic
from microcred.errors import InvalidInputError, MicrocredError
from microcred.registry.credential._documents import (
    ANCHOR_PROOF_TYPE,
    anchor_proofs,
    credential_digest,
    load_credential,
    signature_proofs,
    status_entry,
)
from microcred.registry.ledger._client import RegistryClient
from microcred.registry.anchoring._merkle import MerkleTree, leaf_hash
from microcred.chain._tx import PreparedTx

__all__ = ["DEFAULT_BATCH_LIMIT", "AnchorError", "BatchLimitError", "AnchorResult", "Anchorer",
           "check_batch_limit"]

#: default largest batch: gas per credential stays far below 100 while a proof stays ~13 hashes
DEFAULT_BATCH_LIMIT = 8192


class AnchorError(MicrocredError):
    """A credential cannot be anchored as asked (wrong issuer, chain, registry, or a broken journal)."""


class BatchLimitError(InvalidInputError):
    """The batch limit is not a whole number from 1 to the registry's MAX_BATCH_SIZE."""


@dataclass
class AnchorResult:
    """What one run of :meth:`Anchorer.anchor` did."""

    anchored: list[dict] = field(default_factory=list)  # one per batch: root, first, count, tx, block, files
    skipped: list[str] = field(default_factory=list)  # files already anchored
    resumed: int = 0  # journal entries finished from an earlier run


def check_batch_limit(limit: object, maximum: int = RegistryClient.MAX_BATCH_SIZE) -> int:
    """``limit`` if it is a whole number from 1 to ``maximum`` (the registry's largest batch), else
    :class:`BatchLimitError`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise BatchLimitError(f"the batch limit is a whole number from 1 to {maximum:,} (credentials per batch), "
                              f"not {limit!r}")
    return limit


class Anchorer:
    """Anchors credential files of one issuer account on one registry, with a journal in ``journal_dir``.

    ``hook(stage, entry)`` is called at each step (tests use it to kill the process at chosen points; the CLI
    uses it for progress).
    """

    def __init__(self, registry: RegistryClient, journal_dir: Path, *, chain_caip2: str,
                 batch_limit: int = DEFAULT_BATCH_LIMIT,
                 hook: Callable[[str, dict], None] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        if registry.sender is None:
            raise InvalidInputError("anchoring needs a registry client with a signer")
        check_batch_limit(batch_limit, registry.MAX_BATCH_SIZE)
        self.registry = registry
        self.account = registry.sender.address
        self.chain = chain_caip2
        self.journal_path = Path(journal_dir) / f"anchor-journal-{self.account.lower()}.json"
        self.batch_limit = batch_limit
        self._hook = hook or (lambda stage, entry: None)
        self._clock = clock

    # -- journal --------------------------------------------------------------------------------------------------
    def _load_journal(self) -> dict:
        try:
            data = json.loads(self.journal_path.read_text())
        except FileNotFoundError:
            return {"entries": []}
        except ValueError as exc:
            raise AnchorError(f"the anchor journal {self.journal_path} is damaged ({exc}); nothing was changed. "
                              "Move it aside only after checking its batches on chain.") from exc
        return data

    def _save_journal(self, journal: dict) -> None:
        self.journal_path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.journal_path, journal)

    # -- planning -------------------------------------------------------------------------------------------------
    def _check(self, path: Path, doc: dict) -> dict:
        entry = status_entry(doc)
        if entry["chain"] != self.chain:
            raise AnchorError(f"{path}: issued for chain {entry['chain']}, but this is {self.chain}")
        if str(entry["registry"]).lower() != self.registry.address.lower():
            raise AnchorError(f"{path}: issued for registry {entry['registry']}, not {self.registry.address}")
        if str(entry["issuerAccount"]).lower() != self.account.lower():
            raise AnchorError(f"{path}: issued for issuer account {entry['issuerAccount']}, but the signer is "
                              f"{self.account}")
        if not signature_proofs(doc):
            raise AnchorError(f"{path}: the credential is not signed")
        return entry

    def plan(self, files: Iterable[Path]) -> tuple[list[list[tuple[Path, int, bytes]]], list[str]]:
        """Batches of (file, index, digest) still to anchor, in ascending index order, and the skipped files."""
        pending: list[tuple[Path, int, bytes]] = []
        skipped: list[str] = []
        seen: dict[int, Path] = {}
        for path in files:
            doc = load_credential(path)
            entry = self._check(path, doc)
            if anchor_proofs(doc):
                skipped.append(str(path))
                continue
            index = entry["statusIndex"]
            if index in seen:
                raise AnchorError(f"{path} and {seen[index]} carry the same status index {index}")
            seen[index] = path
            pending.append((Path(path), index, credential_digest(doc)))
        pending.sort(key=lambda t: t[1])
        # a batch covers exactly its credentials' indexes: one run of consecutive indexes, at most batch_limit long,
        # so an index between two runs (another course's, not ready yet, or never issued) stays free to anchor later
        batches: list[list[tuple[Path, int, bytes]]] = []
        for item in pending:
            last = batches[-1] if batches else None
            if last is not None and item[1] == last[-1][1] + 1 and len(last) < self.batch_limit:
                last.append(item)
            else:
                batches.append([item])
        return batches, skipped

    # -- running --------------------------------------------------------------------------------------------------
    def anchor(self, files: Iterable[Path], *, progress: Callable[[int, int], None] | None = None) -> AnchorResult:
        result = AnchorResult()
        files = [Path(f) for f in files]
        for directory in {f.parent for f in files} | {self.journal_path.parent}:
            remove_stale_temporaries(directory)
        journal = self._load_journal()
        for entry in journal["entries"]:
            if entry["stage"] != "done":
                self._finish(journal, entry)
                result.resumed += 1
                result.anchored.append(self._summary(entry))
        batches, result.skipped = self.plan(files)
        total = sum(len(b) for b in batches)
        done = 0
        for batch in batches:
            entry = self._prepare(journal, batch)
            self._finish(journal, entry)
            result.anchored.append(self._summary(entry))
            done += len(batch)
            if progress:
                progress(done, total)
        return result

    @staticmethod
    def _summary(entry: dict) -> dict:
        return {k: entry[k] for k in ("root", "firstIndex", "count", "txHash", "blockNumber") if k in entry} | \
            {"credentials": len(entry["files"])}

    def _prepare(self, journal: dict, batch: list[tuple[Path, int, bytes]]) -> dict:
        leaves = [leaf_hash(d) for _, _, d in batch]
        tree = MerkleTree(leaves)
        # the batch covers exactly its own indexes. Above the issuer's next free index it is anchored "ahead": the
        # indexes in between stay reserved on chain, so the batches holding them can be anchored later, in any order
        first, count = batch[0][1], batch[-1][1] - batch[0][1] + 1
        root = "0x" + tree.root.hex()
        ahead = self._ahead(first)
        prepared = self.registry.prepare_anchor(tree.root, first, count, ahead=ahead)
        entry = {
            "stage": "prepared",
            "root": root,
            "firstIndex": first,
            "count": count,
            "ahead": ahead,
            "files": [str(p) for p, _, _ in batch],
            "digests": ["0x" + d.hex() for _, _, d in batch],
            "rawTx": "0x" + prepared.raw.hex(),
            "txHash": prepared.hash,
            "nonce": prepared.nonce,
        }
        journal["entries"].append(entry)
        self._save_journal(journal)
        self._hook("prepared", entry)
        return entry

    def _finish(self, journal: dict, entry: dict) -> None:
        sender = self.registry.sender
        assert sender is not None
        if entry["stage"] in ("prepared", "sent"):
            batch = self.registry.batch_of(self.account, entry["root"])
            if batch is None:
                prepared = PreparedTx(bytes.fromhex(entry["rawTx"][2:]), entry["txHash"], entry["nonce"],
                                      self.account, 0)
                if entry["stage"] == "prepared" or not self._known(entry["txHash"]):
                    if self._nonce_used(entry["nonce"]) and not self._known(entry["txHash"]):
                        # the prepared transaction can never be mined: sign the same anchoring anew
                        ahead = self._ahead(entry["firstIndex"])
                        fresh = self.registry.prepare_anchor(entry["root"], entry["firstIndex"], entry["count"],
                                                             ahead=ahead)
                        entry.update(rawTx="0x" + fresh.raw.hex(), txHash=fresh.hash, nonce=fresh.nonce,
                                     stage="prepared", ahead=ahead)
                        self._save_journal(journal)
                        prepared = fresh
                    sender.broadcast(prepared, what="anchoring a batch")
                    entry["stage"] = "sent"
                    self._save_journal(journal)
                    self._hook("sent", entry)
            if batch is not None and not self._known(entry["txHash"]):
                # anchored by a transaction this journal does not know (e.g. journal restored): use the record
                entry["blockNumber"] = batch.block_number
                entry["txHash"] = self._find_anchor_tx(entry["root"], batch.block_number) or entry["txHash"]
            else:
                receipt = sender.wait(entry["txHash"], abi=self.registry.abi, what="anchoring a batch")
                entry["blockNumber"] = receipt.block_number
            batch = self.registry.batch_of(self.account, entry["root"])
            if batch is None:
                raise AnchorError(f"root {entry['root']} was mined but the registry does not hold it")
            entry["anchoredAt"] = batch.anchored_at
            entry["stage"] = "mined"
            self._save_journal(journal)
            self._hook("mined", entry)
        if entry["stage"] == "mined":
            self._rewrite(entry)
            entry["stage"] = "done"
            entry.pop("rawTx", None)
            self._save_journal(journal)
            self._hook("done", entry)

    def _ahead(self, first: int) -> bool:
        """Whether a batch from ``first`` lies above the issuer's next free index (and so skips indexes)."""
        next_free, _ = self.registry.issuer_state(self.account)
        if first - next_free > self.registry.MAX_BATCH_SIZE:
            raise AnchorError(
                f"the batch from status index {first} would skip {first - next_free:,} indexes not anchored yet "
                f"({next_free} to {first - 1}); one batch may skip at most {self.registry.MAX_BATCH_SIZE:,}: anchor "
                "the credentials of the lower indexes first")
        return first > next_free

    def _known(self, tx_hash: str) -> bool:
        from eth_typing import HexStr
        from web3 import exceptions as w3x

        from microcred.chain._rpc import rpc_guard

        with rpc_guard("looking up a transaction", endpoint=self.registry.endpoint):
            try:
                self.registry.w3.eth.get_transaction(HexStr(tx_hash))
                return True
            except w3x.TransactionNotFound:
                return False

    def _nonce_used(self, nonce: int) -> bool:
        from microcred.chain._rpc import rpc_guard

        with rpc_guard("reading the account nonce", endpoint=self.registry.endpoint):
            return self.registry.w3.eth.get_transaction_count(self.account, "latest") > nonce

    def _find_anchor_tx(self, root: str, block: int) -> str | None:
        for event in self.registry.history(self.account, block=block, with_times=False):
            if event.kind == "anchored" and event.data.get("root") == root:
                return event.tx_hash
        return None

    def _rewrite(self, entry: dict) -> None:
        digests = [bytes.fromhex(d[2:]) for d in entry["digests"]]
        tree = MerkleTree([leaf_hash(d) for d in digests])
        if "0x" + tree.root.hex() != entry["root"]:
            raise AnchorError(f"the journal of root {entry['root']} does not rebuild its tree")
        created = datetime.fromtimestamp(entry["anchoredAt"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for position, (name, digest) in enumerate(zip(entry["files"], digests)):
            path = Path(name)
            doc = load_credential(path)
            if anchor_proofs(doc):
                continue
            if credential_digest(doc) != digest:
                raise AnchorError(f"{path} changed after it was put in batch {entry['root']}: it no longer matches "
                                  "its anchored digest")
            proof = {
                "type": ANCHOR_PROOF_TYPE,
                "proofPurpose": "assertionMethod",
                "created": created,
                "chain": self.chain,
                "registry": self.registry.address,
                "issuerAccount": self.account,
                "merkleRoot": entry["root"],
                "merklePath": ["0x" + p.hex() for p in tree.proof(position)],
                "transactionHash": entry["txHash"],
                "blockNumber": entry["blockNumber"],
            }
            out = copy.deepcopy(doc)
            out["proof"] = [*signature_proofs(doc), proof]
            write_json_atomic(path, out)
            self._hook("file", {"file": str(path)})
