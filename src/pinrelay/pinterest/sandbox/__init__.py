"""A strict local stand-in for Pinterest's conversion events endpoint (pinterest-capi.md 6).

Run it with uvicorn: `uvicorn --factory pinrelay.pinterest.sandbox:create_sandbox_app`, then send
to `http://127.0.0.1:<port>/v5` with the token `pina_sandbox_token`.
"""

from pinrelay.pinterest.sandbox.app import SandboxState, create_sandbox_app
from pinrelay.pinterest.sandbox.config import DEMO_TOKEN, SandboxConfig

__all__ = ["DEMO_TOKEN", "SandboxConfig", "SandboxState", "create_sandbox_app"]
