#!/bin/bash
# Pasar OPOP's nightly backup: a pg_dump (custom format) of DATABASE_URL's database and a tar.gz
# of UPLOAD_FOLDER into BACKUP_DIR, each written under a temporary name and renamed when whole;
# encrypted with gpg when BACKUP_ENCRYPT_RECIPIENT is set; copied to an S3-compatible bucket
# when BACKUP_S3_BUCKET is set; then files older than BACKUP_KEEP_DAYS are deleted. Any failure
# stops it with a non-zero exit (and deletes nothing).
#
# Run by deploy/systemd/pasar-opop-backup.timer (nightly, about 02:30 WIB), or by hand and from
# cron with --env-file; the cron equivalent of the timer, in /etc/cron.d/pasar-opop-backup (cron
# reads the server's time zone: Asia/Jakarta, or write 30 19 for a server on UTC):
#   30 2 * * * pasar-opop /srv/pasar-opop/app/deploy/backup.sh --env-file /etc/pasar-opop/env
# Check a dump with `flask --app wsgi ops restore-check --latest`.
#
# Settings, from the environment (or the env file):
#   DATABASE_URL              the app's database (required)
#   BACKUP_DIR                where the files go (default /var/backups/pasar-opop)
#   BACKUP_KEEP_DAYS          files older than this many days are deleted (default 14)
#   STORAGE_BACKEND, UPLOAD_FOLDER
#                             as the app reads them; with STORAGE_BACKEND=s3 the uploads are not
#                             archived (the bucket's versioning is their backup)
#   BACKUP_ENCRYPT_RECIPIENT  a gpg public key: the path of an exported key file, or the
#                             fingerprint of a key in the service user's keyring. Every file is
#                             then encrypted to it and no plain copy is kept
#   BACKUP_S3_BUCKET          copy the night's files there; BACKUP_S3_PREFIX, and
#                             BACKUP_S3_ENDPOINT_URL, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY, _REGION
#                             (each falling back to the uploads' S3_* setting)
#   APP_DIR, PYTHON           the app's checkout and its venv's python (default: the checkout
#                             this script is in, and its .venv)
set -eu
set -o pipefail

log() { printf '%s backup: %s\n' "$(date '+%F %T')" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { echo "usage: $0 [--env-file FILE]" >&2; exit 2; }

# The env file as systemd reads it (KEY=VALUE lines, # comments, one pair of quotes around a
# value removed): never run through the shell, whose quoting the file does not follow.
load_env_file() {
  local line key value
  [ -r "$1" ] || die "cannot read the environment file $1"
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'* | ';'*) continue ;; esac
    case $line in *=*) ;; *) die "$1: not a KEY=VALUE line: $line" ;; esac
    key=${line%%=*}
    value=${line#*=}
    case $key in '' | [0-9]* | *[!A-Za-z0-9_]*) die "$1: not a variable name: $key" ;; esac
    case $value in
      \"*\") value=${value#\"}; value=${value%\"} ;;
      \'*\') value=${value#\'}; value=${value%\'} ;;
    esac
    export "$key=$value"
  done <"$1"
}

while [ $# -gt 0 ]; do
  case $1 in
    --env-file) [ $# -ge 2 ] || usage; load_env_file "$2"; shift 2 ;;
    *) usage ;;
  esac
done

: "${DATABASE_URL:?DATABASE_URL is not set (run with --env-file /etc/pasar-opop/env)}"
APP_DIR=${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${PYTHON:-$APP_DIR/.venv/bin/python}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/pasar-opop}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
STORAGE_BACKEND=${STORAGE_BACKEND:-local}
UPLOAD_FOLDER=${UPLOAD_FOLDER:-$APP_DIR/instance/uploads}
BACKUP_ENCRYPT_RECIPIENT=${BACKUP_ENCRYPT_RECIPIENT:-}
BACKUP_S3_BUCKET=${BACKUP_S3_BUCKET:-}

case $BACKUP_KEEP_DAYS in '' | *[!0-9]*) die "BACKUP_KEEP_DAYS must be a number of days" ;; esac
[ "$BACKUP_KEEP_DAYS" -ge 1 ] || die "BACKUP_KEEP_DAYS must be at least 1"

umask 077 # the files hold personal data: readable by the service user only
mkdir -p "$BACKUP_DIR"
cd "$APP_DIR" # `python -m marketplace.backups` imports the app's package from here

stamp=$(date -u +%Y%m%dT%H%M%SZ)
partials=()
published=()
cleanup() {
  local file
  for file in ${partials[@]+"${partials[@]}"}; do rm -f -- "$file"; done
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Write $1 (a finished temporary file in BACKUP_DIR) to disk, encrypted when asked, and rename it
# to $2: a file with a final name is always whole.
publish() {
  local source=$1 name=$2 key
  if [ -n "$BACKUP_ENCRYPT_RECIPIENT" ]; then
    if [ -f "$BACKUP_ENCRYPT_RECIPIENT" ]; then
      key=(--recipient-file "$BACKUP_ENCRYPT_RECIPIENT")
    else
      # The operator named the key in the configuration: that is the trust decision.
      key=(--trust-model always --recipient "$BACKUP_ENCRYPT_RECIPIENT")
    fi
    partials+=("$source.gpg")
    gpg --batch --yes --quiet --no-tty "${key[@]}" --output "$source.gpg" --encrypt "$source" ||
      die "gpg could not encrypt $name to $BACKUP_ENCRYPT_RECIPIENT"
    rm -f -- "$source"
    source=$source.gpg
    name=$name.gpg
  fi
  sync -- "$source"
  mv -- "$source" "$BACKUP_DIR/$name"
  published+=("$BACKUP_DIR/$name")
  log "wrote $BACKUP_DIR/$name ($(du -h -- "$BACKUP_DIR/$name" | cut -f1))"
}

# The database. The password travels in PGPASSWORD: a command line is readable by every user.
pg_env=$("$PYTHON" -m marketplace.backups libpq-env) || die "DATABASE_URL is not usable"
eval "$pg_env"
dump=$BACKUP_DIR/pasar-opop-db-$stamp.dump.partial
partials+=("$dump")
log "dumping the database"
pg_dump --format=custom --no-password --file="$dump" --dbname="$PG_URI" ||
  die "pg_dump failed"
publish "$dump" "pasar-opop-db-$stamp.dump"

# The uploads.
if [ "$STORAGE_BACKEND" = s3 ]; then
  log "uploads: STORAGE_BACKEND=s3, not archived (the bucket's versioning is their backup)"
else
  [ -d "$UPLOAD_FOLDER" ] || die "UPLOAD_FOLDER $UPLOAD_FOLDER is not a folder"
  archive=$BACKUP_DIR/pasar-opop-uploads-$stamp.tar.gz.partial
  partials+=("$archive")
  log "archiving $UPLOAD_FOLDER"
  status=0
  # *.tmp: files the app is writing, renamed when whole (marketplace/storage.py).
  tar --create --gzip --file="$archive" --directory="$UPLOAD_FOLDER" --exclude='*.tmp' . ||
    status=$?
  # GNU tar exits 1 when a file changed while it was read (an upload arriving): the archive is
  # whole, with that one file as it was at some moment.
  if [ "$status" -eq 1 ]; then
    log "uploads: a file changed while it was archived (kept as read)"
  elif [ "$status" -ne 0 ]; then
    die "tar failed (exit $status)"
  fi
  publish "$archive" "pasar-opop-uploads-$stamp.tar.gz"
fi

# Off the machine.
if [ -n "$BACKUP_S3_BUCKET" ]; then
  if [ -z "$BACKUP_ENCRYPT_RECIPIENT" ]; then
    log "WARNING: copying unencrypted backups (personal data) off the machine; set BACKUP_ENCRYPT_RECIPIENT"
  fi
  "$PYTHON" -m marketplace.backups upload "${published[@]}" || die "the copy to the bucket failed"
fi

# Retention, only after a night that succeeded: a failing backup never eats the good ones.
log "deleting backups older than $BACKUP_KEEP_DAYS days"
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'pasar-opop-*' \
  -mmin +$((BACKUP_KEEP_DAYS * 24 * 60)) -print -delete >&2
log "done"
