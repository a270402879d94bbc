# Shared settings of the provisioning scripts (sourced, not run).
# Everything the local system keeps between runs lives under one state directory that the postgres user can reach
# (root's home is not reachable by it).
export BUILDSRS_STATE_DIR="${BUILDSRS_STATE_DIR:-/var/tmp/buildsrs}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"

log() { printf '[provision] %s\n' "$*" >&2; }
