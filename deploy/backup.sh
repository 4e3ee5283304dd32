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
    pg_dump --format=custom --no-owner --dbname="$url" --file="$dest/ritualbot-$stamp.dump" ;;
  sqlite:///*)
    sqlite3 "${url#sqlite:///}" ".backup '$dest/ritualbot-$stamp.db'" ;;
  *) echo "backup.sh: unsupported DATABASE_URL" >&2; exit 2 ;;
esac
echo "$dest/ritualbot-$stamp.*"
