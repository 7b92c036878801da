"""Issuing: issuer profiles, course templates and learner lists, and crash-safe batch issuance with durable index
reservations.

Modules: ``_template`` (course templates), ``_learners`` (learner lists), ``_build`` (credentials from both),
``_allocate`` (status index reservations), ``_batch`` (the crash-safe batch), ``_issuer`` (profiles and their
store), ``_lock`` (the issuer's lock), ``_common`` (errors and the journal format).
"""

from microcred.registry.issuance._allocate import IndexAllocator, IndexRange
from microcred.registry.issuance._batch import (
    BatchResult,
    CredentialWriter,
    DiskFullError,
    IssuedCredential,
    issue_batch,
)
from microcred.registry.issuance._build import build_credential, learner_name
from microcred.registry.issuance._common import (
    BatchConflictError,
    IssuanceError,
    LearnerFileError,
    Sign,
    TemplateError,
)
from microcred.registry.issuance._issuer import (
    CRYPTOSUITES,
    DEFAULT_CRYPTOSUITE,
    IssuerExistsError,
    IssuerNotFoundError,
    IssuerNotReadyError,
    IssuerProfile,
    IssuerStore,
    check_issuer_name,
    verification_method_for,
)
from microcred.registry.issuance._learners import (
    CSV_DELIMITERS,
    LEARNER_DID_METHODS,
    Learner,
    check_learner_did,
    detect_delimiter,
    load_learners,
    parse_learners,
)
from microcred.registry.issuance._lock import IssuerBusyError, LockHolder, issuer_lock
from microcred.registry.issuance._signer import credential_signer
from microcred.registry.issuance._stack import (
    COMPONENT_MEDIA_TYPE,
    STACK_KIND,
    ComponentSpec,
    StackError,
    StackTemplate,
    component_digest,
    component_reference,
    component_references,
    learner_key,
    load_stack_template,
    parse_stack_template,
    plan_stack,
)
from microcred.registry.issuance._template import (
    CourseTemplate,
    load_template,
    parse_template,
)

__all__ = [
    "COMPONENT_MEDIA_TYPE",
    "STACK_KIND",
    "ComponentSpec",
    "StackError",
    "StackTemplate",
    "component_digest",
    "component_reference",
    "component_references",
    "learner_key",
    "load_stack_template",
    "parse_stack_template",
    "plan_stack",
    "CRYPTOSUITES",
    "CSV_DELIMITERS",
    "DEFAULT_CRYPTOSUITE",
    "BatchConflictError",
    "BatchResult",
    "CourseTemplate",
    "CredentialWriter",
    "DiskFullError",
    "IndexAllocator",
    "IndexRange",
    "IssuanceError",
    "IssuedCredential",
    "IssuerBusyError",
    "IssuerExistsError",
    "IssuerNotFoundError",
    "IssuerNotReadyError",
    "IssuerProfile",
    "IssuerStore",
    "LEARNER_DID_METHODS",
    "Learner",
    "LearnerFileError",
    "LockHolder",
    "Sign",
    "TemplateError",
    "build_credential",
    "check_issuer_name",
    "check_learner_did",
    "credential_signer",
    "detect_delimiter",
    "issue_batch",
    "issuer_lock",
    "learner_name",
    "load_learners",
    "load_template",
    "parse_learners",
    "parse_template",
    "verification_method_for",
]
