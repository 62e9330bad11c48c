"""Development helpers that must run before Django can start (no settings needed).

python -m smsadmin.devtools write-dotenv .env
"""

import base64
import os
import secrets
import sys
from pathlib import Path

DOTENV_TEMPLATE = """\
# Written by `make run` on first use. Development settings: never use in production.
DEBUG=true
SECRET_KEY={secret_key}
SMSADMIN_ENCRYPTION_KEYS={encryption_key}
SMSADMIN_AUDIT_KEY={audit_key}
# `make run` sets SOCIOSTACKS_API_URL from SANDBOX_PORT, which wins over this line.
SOCIOSTACKS_API_URL=http://127.0.0.1:8001/api
SMSADMIN_DEMO_PASSWORD={demo_password}
TIME_ZONE=UTC
"""


def write_dotenv(path: Path) -> bool:
    """Write a .env with fresh secrets unless one exists. True when written."""
    if path.exists():
        return False
    path.write_text(
        DOTENV_TEMPLATE.format(
            secret_key=secrets.token_urlsafe(50),
            encryption_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            audit_key=secrets.token_urlsafe(32),
            demo_password=secrets.token_urlsafe(12),
        )
    )
    path.chmod(0o600)
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "write-dotenv":
        print("usage: python -m smsadmin.devtools write-dotenv PATH", file=sys.stderr)
        return 2
    path = Path(argv[1])
    if write_dotenv(path):
        print(f"wrote {path} with freshly generated keys")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
