#!/bin/sh
# Back up ritualbot's database. It holds personal data (answers, consent, who was asked when):
# keep backups encrypted, readable by as few people as possible, and no longer than retention_days.
#   deploy/backup.sh /var/backups/ritualbot      (reads DATABASE_URL from the environment)
set -eu
dest=${1:?usage: backup.sh DIRECTORY}
umask 077
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
url=${DATABASE_URL:-sqlite:///ritualbot.db}
case "$url" in
  postgres://*|postgresql://*)
    file="$dest/ritualbot-$stamp.dump"
    pg_dump --format=custom --no-owner --dbname="$url" --file="$file" ;;
  sqlite:///*)
    db=${url#sqlite:///}
    db=${db%%\?*}          # sqlite:///x.db?timeout=10 is the file x.db, as for the bot
    # sqlite3 would create a missing file and back up nothing, with success: refuse instead
    # (started in the wrong directory, or the file moved)
    if [ ! -s "$db" ]; then echo "backup.sh: no SQLite database at $db (relative to $(pwd))" >&2; exit 1; fi
    file="$dest/ritualbot-$stamp.db"
    sqlite3 "$db" ".backup '$file'" ;;
  *) echo "backup.sh: unsupported DATABASE_URL" >&2; exit 2 ;;
esac
echo "$file"
