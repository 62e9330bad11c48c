"""Docker HEALTHCHECK: exit 0 when the site's /healthz answers 200.

The slim image has no curl. The request carries a Host the site accepts (the
first concrete ALLOWED_HOSTS entry), because Django refuses any other.
"""

import os
import sys
import urllib.request


def host_header(allowed_hosts: str) -> str:
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main(url: str = "http://127.0.0.1:8000/healthz") -> int:
    request = urllib.request.Request(  # noqa: S310  (an http:// URL of this container)
        url,
        headers={"Host": host_header(os.environ.get("ALLOWED_HOSTS", ""))},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
