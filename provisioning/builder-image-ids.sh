#!/usr/bin/env bash
# Records the ID of each target's build image beside its tag ($BUILDSRS_STATE_DIR/builder-images/<target>.id). An ID
# names the image's content where a tag can be moved: the Api takes a verifying rebuild only from an image it knows by
# ID for the target, and the AppHost tells it these.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

records="$BUILDSRS_STATE_DIR/builder-images"
for record in "$records"/*; do
  case "$(basename "$record")" in *.*) continue ;; esac
  docker image inspect --format '{{.Id}}' "$(cat "$record")" > "$record.id"
done
log "build image IDs recorded"
