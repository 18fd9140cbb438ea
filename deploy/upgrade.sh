#!/bin/bash
# Pasar OPOP's release procedure on one server, run as root (docs/upgrades.md explains it):
#
#   deploy/upgrade.sh [--dry-run] REF        REF: a release tag (v1.4.0) or a commit
#
#   1. fetch      git fetch, and REF must name a commit
#   2. backup     deploy/backup.sh, as the service with its environment file
#   3. record     the commit and the database migration running now (for the rollback)
#   4. checkout   git checkout REF
#   5. install    pip install -r $REQUIREMENTS (requirements.txt when the release has none)
#   6. translate  compile the message catalogues
#   7. migrate    flask db upgrade
#   8. restart    restart the web unit (gunicorn preloads the application, so only a restart
#                 loads new code; systemd holds its socket meanwhile: connections wait, none is
#                 refused), the worker and the scheduler
#   9. check      /readyz on the local gunicorn answers 200, with retries
#
# When a step from 4 on fails, the previous commit is checked out, installed and restarted.
# Migrations are NOT downgraded: the script says which revision the database was at and how to
# go back by hand. --dry-run prints the steps and changes nothing.
#
# Settings (environment): APP_DIR (default: the checkout this script is in), ENV_FILE
# (/etc/pasar-opop/env), SERVICE_USER (pasar-opop), REMOTE (origin), REQUIREMENTS
# (requirements.lock), READYZ_URL (http://127.0.0.1:8000/readyz), READYZ_TRIES (20),
# READYZ_DELAY (3 seconds), LOCK_FILE (/run/pasar-opop-upgrade.lock).
set -eu
set -o pipefail

# Everything is inside main, read whole before it runs: the checkout replaces this very file.
main() {
  local dry_run="" ref=""
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) dry_run=1 ;;
      -h | --help) usage 0 ;;
      -*) usage 2 ;;
      *) [ -z "$ref" ] || usage 2; ref=$1 ;;
    esac
    shift
  done
  [ -n "$ref" ] || usage 2

  DRY_RUN=$dry_run
  APP_DIR=${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
  ENV_FILE=${ENV_FILE:-/etc/pasar-opop/env}
  SERVICE_USER=${SERVICE_USER:-pasar-opop}
  REMOTE=${REMOTE:-origin}
  REQUIREMENTS=${REQUIREMENTS:-requirements.lock}
  READYZ_URL=${READYZ_URL:-http://127.0.0.1:8000/readyz}
  READYZ_TRIES=${READYZ_TRIES:-20}
  READYZ_DELAY=${READYZ_DELAY:-3}
  LOCK_FILE=${LOCK_FILE:-/run/pasar-opop-upgrade.lock}
  VENV=$APP_DIR/.venv

  if [ -z "$DRY_RUN" ]; then
    [ "$(id -u)" = 0 ] || die "run as root (it restarts the services)"
    exec 9>"$LOCK_FILE"
    flock -n 9 || die "another upgrade is running"
    [ -z "$(owner git status --porcelain --untracked-files=no)" ] ||
      die "$APP_DIR has local changes; commit or discard them first"
  else
    say "dry run: the steps of an upgrade to $ref; nothing is changed"
  fi
  # Read-only, so the dry run shows the real commit the rollback would return to.
  PREVIOUS=$(git -C "$APP_DIR" rev-parse HEAD 2>/dev/null || echo "<the current commit>")

  step 1 "fetch $ref"
  run owner git fetch --quiet --tags --prune "$REMOTE"
  if [ -n "$DRY_RUN" ]; then
    run owner git rev-parse --verify "$ref^{commit}"
    TARGET=$ref
  else
    TARGET=$(owner git rev-parse --verify --quiet "$ref^{commit}") ||
      die "$ref is not a tag or commit of $REMOTE"
  fi

  step 2 "back up the database and the uploads"
  run as_service /bin/bash "$APP_DIR/deploy/backup.sh"

  step 3 "record what runs now"
  say "commit $PREVIOUS"
  if [ -n "$DRY_RUN" ]; then
    run as_service "$VENV/bin/flask" --app wsgi db current
    PREVIOUS_REVISION="<the revision printed above>"
  else
    PREVIOUS_REVISION=$(as_service "$VENV/bin/flask" --app wsgi db current | awk 'NF {r=$1} END {print r}')
    say "database migration ${PREVIOUS_REVISION:-none}"
  fi

  # From here on a failure (or Ctrl-C) rolls back.
  trap 'finish $?' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  CHANGED=1

  step 4 "check out $ref"
  run owner git checkout --quiet --detach "$TARGET"

  step 5 "install the dependencies"
  install_requirements

  step 6 "compile the translations"
  run owner env PYBABEL="$VENV/bin/pybabel" sh "$APP_DIR/scripts/translations.sh" compile

  step 7 "migrate the database"
  MIGRATED=1 # set first: a migration that fails halfway may have done part of its work
  run as_service "$VENV/bin/flask" --app wsgi db upgrade

  step 8 "restart"
  restart_services

  step 9 "check $READYZ_URL"
  smoke_check

  CHANGED=""
  if [ -n "$DRY_RUN" ]; then
    rollback
  else
    say "upgraded to $ref ($TARGET)"
  fi
}

usage() {
  echo "usage: $0 [--dry-run] REF   (REF: a release tag or commit)" >&2
  exit "$1"
}
say() { printf '%s\n' "$*" >&2; }
die() { say "upgrade: ERROR: $*"; exit 1; }
step() { say "== $1. $2"; }

# Print a command, and run it unless this is a dry run. The first word may be one of the
# wrappers below (owner, as_service), printed as words.
run() {
  local how="" line
  case $1 in
    owner) how="(as the checkout's owner, in $APP_DIR) " ;;
    as_service) how="(as $SERVICE_USER with $ENV_FILE, through systemd-run) " ;;
  esac
  if [ -n "$how" ]; then
    line=$(printf '%q ' "${@:2}")
  else
    line=$(printf '%q ' "$@")
  fi
  say "+ $how${line% }"
  [ -n "$DRY_RUN" ] || "$@"
}

# Git and pip act as the checkout's owner (git refuses a repository owned by another user).
owner() {
  local user
  user=$(stat -c %U "$APP_DIR")
  if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then
    (cd "$APP_DIR" && runuser -u "$user" -- "$@")
  else
    (cd "$APP_DIR" && "$@")
  fi
}

# Run a command as the services run: their user, their environment file, their folder.
as_service() {
  systemd-run --quiet --wait --pipe --collect --service-type=exec \
    --uid="$SERVICE_USER" --gid="$SERVICE_USER" --working-directory="$APP_DIR" \
    --property=EnvironmentFile="$ENV_FILE" -- "$@"
}

install_requirements() {
  local file=$REQUIREMENTS
  [ -f "$APP_DIR/$file" ] || file=requirements.txt
  run owner "$VENV/bin/pip" install --quiet --no-input -r "$APP_DIR/$file"
}

restart_services() {
  # Not a reload: a preloaded gunicorn keeps its code on HUP. On SIGTERM the workers finish
  # their requests; new ones wait in pasar-opop-web.socket until the new master is ready
  # (Type=notify), which is when `systemctl restart` returns.
  run systemctl restart pasar-opop-web
  run systemctl restart pasar-opop-worker pasar-opop-scheduler
}

smoke_check() {
  local try code
  # X-Forwarded-Proto: the app may redirect plain HTTP to HTTPS (FORCE_HTTPS).
  local curl=(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5
    --header 'X-Forwarded-Proto: https' "$READYZ_URL")
  say "+ $(printf '%q ' "${curl[@]}")(until it answers 200: $READYZ_TRIES tries, ${READYZ_DELAY}s apart)"
  [ -z "$DRY_RUN" ] || return 0
  for try in $(seq 1 "$READYZ_TRIES"); do
    # Let the new workers boot first: until then the old ones still answer.
    sleep "$READYZ_DELAY"
    code=$("${curl[@]}") || code=000
    if [ "$code" = 200 ]; then
      say "ready: $READYZ_URL answered 200"
      return 0
    fi
    say "not ready ($code), try $try of $READYZ_TRIES"
  done
  say "upgrade: ERROR: $READYZ_URL did not answer 200"
  return 1
}

# On exit: after a failure from the checkout on, go back to the previous commit.
# shellcheck disable=SC2317 # called from the EXIT trap
finish() {
  local status=$1
  trap - EXIT
  if [ -n "${CHANGED:-}" ] && [ "$status" -ne 0 ]; then
    rollback
  fi
  exit "$status"
}

rollback() {
  local ok=1
  set +e
  if [ -n "$DRY_RUN" ]; then
    say "== rollback, when a step from 4 on fails"
  else
    say "== the upgrade failed: rolling back to $PREVIOUS"
  fi
  run owner git checkout --quiet --detach "$PREVIOUS" || ok=""
  install_requirements || ok=""
  run owner env PYBABEL="$VENV/bin/pybabel" sh "$APP_DIR/scripts/translations.sh" compile || ok=""
  restart_services || ok=""
  smoke_check || ok=""
  if [ -z "$DRY_RUN" ]; then
    if [ -n "$ok" ]; then
      say "rolled back: $PREVIOUS runs and answers $READYZ_URL"
    else
      say "upgrade: ERROR: the rollback did not finish (see above): the site may be down"
    fi
  fi
  if [ -n "${MIGRATED:-}" ] || [ -n "$DRY_RUN" ]; then
    say "The database is NOT migrated back (docs/upgrades.md, \"Rolling back\"); it was at"
    say "migration ${PREVIOUS_REVISION:-none}. The old release runs on the new schema when"
    say "the release's migrations were additive. To downgrade it, with $TARGET checked out"
    say "(it has the downgrade steps):"
    say "  flask --app wsgi db downgrade ${PREVIOUS_REVISION:-REVISION}"
  fi
  set -e
}

main "$@"
exit
