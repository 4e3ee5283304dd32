#!/bin/sh
# Back up ritualbot's database. It holds personal data (answers, consent, who was asked when):
# keep backups encrypted, readable by as few people as possible, and no longer than retention_days.
#   deploy/backup.sh /var/backups/ritualbot      (reads DATABASE_URL from the environment)
# Every DATABASE_URL the bot accepts: postgresql://, postgres:// or postgresql+psycopg://, and
# sqlite:///relative.db, sqlite:////absolute.db, sqlite:///file:path.db?mode=rwc&uri=true.
# The backup is written under a temporary name (.ritualbot-….partial) and given its final name
# only when complete: a ritualbot-….dump or ….db file is always a whole backup.
set -eu
dest=${1:?usage: backup.sh DIRECTORY}
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
url=${DATABASE_URL:-sqlite:///ritualbot.db}
scheme=${url%%:*}      # for messages: never the rest, which may hold a password

fail() { echo "backup.sh: $*" >&2; exit 1; }

# The file a SQLite URI names (file:x.db, file:/abs/x.db, file:///abs/x.db, percent-escapes decoded).
sqlite_uri_path() {
  p=${1#file:}
  p=${p%%\?*}
  p=${p%%#*}
  case "$p" in
    ///*) p=${p#//} ;;
    //localhost/*) p=${p#//localhost} ;;
    //*/*) fail "the SQLite URI in DATABASE_URL names a host (${p#//}); only local files can be backed up" ;;
  esac
  printf '%s' "$p" | awk '{
    out = ""
    while (match($0, /%[0-9A-Fa-f][0-9A-Fa-f]/)) {
      out = out substr($0, 1, RSTART - 1) sprintf("%c", hex(substr($0, RSTART + 1, 2)))
      $0 = substr($0, RSTART + 3)
    }
    printf "%s", out $0
  }
  function hex(h,   i, n) {
    n = 0
    for (i = 1; i <= 2; i++) n = n * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
    return n
  }'
}

case "$url" in
  postgres://*|postgresql://*|postgresql+psycopg://*)
    kind=dump
    pg_url="postgresql://${url#*://}" ;;   # pg_dump reads libpq URLs only: no +psycopg
  sqlite://|sqlite:///:memory:*|sqlite+pysqlite://|sqlite+pysqlite:///:memory:*)
    fail "DATABASE_URL names an in-memory SQLite database ($scheme://, :memory:): there is nothing on disk to back up" ;;
  sqlite:///*|sqlite+pysqlite:///*)
    kind=db
    db=${url#*:///}
    case "$db" in
      file:*)
        case "$db" in
          *mode=memory*) fail "DATABASE_URL names an in-memory SQLite database (sqlite:///file:…?mode=memory): there is nothing on disk to back up" ;;
        esac
        db=$(sqlite_uri_path "$db") || exit 1
        [ -n "$db" ] || fail "the SQLite URI in DATABASE_URL (sqlite:///file:…) names no file" ;;
      *) db=${db%%\?*} ;;   # sqlite:///x.db?timeout=10 is the file x.db, as for the bot
    esac
    # sqlite3 would create a missing file and back up nothing, with success: refuse instead
    # (started in the wrong directory, or the file moved)
    [ -s "$db" ] || fail "no SQLite database at $db (relative to $(pwd))" ;;
  *)
    echo "backup.sh: DATABASE_URL of the form $scheme://… is not one ritualbot uses; expected postgresql://…," \
         "postgres://…, sqlite:///path.db or sqlite:///file:path.db?uri=true" >&2
    exit 2 ;;
esac

mkdir -p "$dest"
file="$dest/ritualbot-$stamp.$kind"
partial="$dest/.ritualbot-$stamp.$kind.partial"
trap 'rm -f "$partial"' EXIT
trap 'exit 1' HUP INT TERM
if [ "$kind" = dump ]; then
  pg_dump --format=custom --no-owner --dbname="$pg_url" --file="$partial" \
    || fail "pg_dump failed (see above); no backup was made"
else
  sqlite3 "$db" ".backup '$partial'" && [ -s "$partial" ] \
    || fail "sqlite3 could not copy $db (see above); no backup was made"
fi
mv "$partial" "$file"
echo "$file"
