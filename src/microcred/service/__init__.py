"""The verification service: the library's verifier over HTTP (VC-API routes, a file upload, a page), and the
verification links that carry a credential in their fragment.

    from microcred.service import ServiceConfig, create_app
    app = create_app(ServiceConfig(app=app_context, trust=None))   # an ASGI application, for uvicorn
"""

from microcred.service._app import CONTENT_SECURITY_POLICY, api_result, create_app
from microcred.service._i18n import LANGUAGES, choose_language, words
from microcred.service._inprocess import InProcessFetcher
from microcred.service._links import FRAGMENT_KEY, credential_from_link, verification_link
from microcred.service._problems import PROBLEM_TYPE, ServiceProblem
from microcred.service._verifying import ServiceConfig, VerifierCache
from microcred.service._workers import run_workers, spreads_connections

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "FRAGMENT_KEY",
    "InProcessFetcher",
    "LANGUAGES",
    "PROBLEM_TYPE",
    "ServiceConfig",
    "ServiceProblem",
    "VerifierCache",
    "api_result",
    "choose_language",
    "create_app",
    "credential_from_link",
    "run_workers",
    "spreads_connections",
    "verification_link",
    "words",
]
