"""The learner's wallet: credentials received (JSON, baked badges, VC-JWT, presentations, PDF certificates), kept
encrypted at rest with the keystore's passphrase, listed, shown for a person in English, French or German, checked
again, and removed; and what a learner presents from it (:mod:`microcred.registry.presentation`)::

    from microcred.wallet import Wallet, read_credentials_file

    wallet = Wallet(home / "wallet", passphrase)
    for done in wallet.add(read_credentials_file("ada.png"), source="ada.png"):
        print(done.action, done.entry.id)
"""

from microcred.wallet._check import check_wallet
from microcred.wallet._pdf import CERTIFICATE_WORDS, Certificate, certificate_pdf
from microcred.wallet._read import credentials_in, read_credentials_file
from microcred.wallet._render import WALLET_LANGUAGES, WALLET_WORDS, person_view, render_entry
from microcred.wallet._store import (
    AddResult,
    AmbiguousWalletIdError,
    NotInWalletError,
    Wallet,
    WalletEntry,
    WalletFormatError,
    wallet_id_of,
)

__all__ = [
    "AddResult",
    "AmbiguousWalletIdError",
    "CERTIFICATE_WORDS",
    "Certificate",
    "NotInWalletError",
    "WALLET_LANGUAGES",
    "WALLET_WORDS",
    "Wallet",
    "WalletEntry",
    "WalletFormatError",
    "certificate_pdf",
    "check_wallet",
    "credentials_in",
    "person_view",
    "read_credentials_file",
    "render_entry",
    "wallet_id_of",
]
