# Sourced by the two commands (run.sh, test.sh): provisions what is missing and, on exit, stops the Docker engine
# again if this provisioning is what started it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

buildsrs_started_docker=false
[ -f "$BUILDSRS_STATE_DIR/dockerd.pid" ] || buildsrs_started_docker=true
"$(dirname "${BASH_SOURCE[0]}")/provision.sh"
[ -f "$BUILDSRS_STATE_DIR/dockerd.pid" ] || buildsrs_started_docker=false
buildsrs_command_end() { if $buildsrs_started_docker; then "$(dirname "${BASH_SOURCE[0]}")/stop-docker-engine.sh"; fi; }
trap buildsrs_command_end EXIT
