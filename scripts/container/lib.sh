# Shared by scripts/container/*: where things live and how podman is called.
# Sourced, not run.

# The stand-in images are cached here between runs (outside any checkout, so
# a fresh clone reuses them), each keyed by its recipe's hash.
: "${SMSADMIN_CONTAINER_CACHE:=/var/cache/smsadmin-container}"
# This run's podman storage (scripts/container/test makes a fresh one and removes it).
: "${SMSADMIN_CONTAINER_STATE:=/var/tmp/smsadmin-container}"
export SMSADMIN_CONTAINER_CACHE SMSADMIN_CONTAINER_STATE

CONTAINER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PODMAN="$CONTAINER_SCRIPTS/podman"
BASE_IMAGE=localhost/smsadmin-base:bookworm

say() { printf '[container %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
