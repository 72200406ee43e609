#!/usr/bin/env bash
# A throwaway PostgreSQL cluster listening on a Unix socket only.
#
#   pg_cluster.sh start DIR PORT        initdb into DIR/data, start it, print the conninfo
#   pg_cluster.sh stop  DIR             stop it and remove DIR
#   pg_cluster.sh psql  DIR PORT ARGS   run psql against it
#   pg_cluster.sh stop-immediate DIR    pg_ctl stop -m immediate (a crash, for fault tests); keeps DIR
#   pg_cluster.sh restart DIR PORT      start the existing cluster in DIR again (no initdb, nothing
#                                       wiped) after stop-immediate, print the conninfo
#
# Layout: DIR/data (cluster), DIR/sock (socket dir), DIR/server.log.
# Conninfo: "host=DIR/sock port=PORT dbname=postgres user=postgres" (trust auth).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user.
# Binaries: $PG_BINDIR, else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin.
set -euo pipefail

die() { echo "pg_cluster.sh: $*" >&2; exit 1; }

find_bindir() {
  local d
  if [[ -n "${PG_BINDIR:-}" && -x "${PG_BINDIR}/initdb" ]]; then echo "$PG_BINDIR"; return; fi
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  fi
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  if [[ -x "$d/initdb" ]]; then echo "$d"; return; fi
  die "cannot find initdb/pg_ctl (install postgresql, or set PG_BINDIR)"
}

# Run a server binary as the cluster owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user"
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      # shellcheck disable=SC2016 # $0 and $@ are expanded by the inner shell
      su postgres -s /bin/sh -c '"$0" "$@"' -- "$@"
    fi
  else
    "$@"
  fi
}

# Stop whatever cluster DIR holds (a leftover from a killed run included) and remove DIR.
teardown() {
  local dir=$1 pid
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    if [[ -n "${BINDIR:-}" ]]; then
      (cd "$dir" && as_owner "$BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop) >/dev/null 2>&1 ||
        (cd "$dir" && as_owner "$BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop) >/dev/null 2>&1 || true
    fi
    # pg_ctl could not do it (other version, broken data dir): kill the postmaster by its pid file.
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
       [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == postgres* ]]; then
      kill -QUIT "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}

check_dir() {
  [[ "$1" = /* ]] || die "DIR must be an absolute path: $1"
  [[ "$1" != / ]] || die "refusing DIR=/"
}

cmd=${1:-}
case "$cmd" in
  start)
    [[ $# -eq 3 ]] || die "usage: $0 start DIR PORT"
    dir=$2 port=$3
    check_dir "$dir"
    BINDIR=$(find_bindir)
    sock="$dir/sock"
    # A socket path is limited to 107 bytes: "<sock>/.s.PGSQL.<port>".
    (( ${#sock} + 12 + ${#port} <= 107 )) || die "socket path too long: $sock"

    teardown "$dir"
    mkdir -p "$dir/data" "$dir/sock"
    chmod 755 "$dir"
    chmod 700 "$dir/data"
    if [[ $(id -u) -eq 0 ]]; then
      chown -R postgres:postgres "$dir"
    fi

    # cd: as `postgres`, initdb warns when it cannot read root's cwd.
    if ! (cd "$dir" && as_owner "$BINDIR/initdb" -D "$dir/data" -U postgres --auth=trust \
          -E UTF8 --locale=C --no-sync) >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      die "initdb failed"
    fi
    cat >>"$dir/data/postgresql.conf" <<CONF

# pg_cluster.sh: throwaway test cluster
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
CONF
    if ! (cd "$dir" && as_owner "$BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start) \
          >"$dir/pg_ctl.log" 2>&1; then
      cat "$dir/pg_ctl.log" >&2
      echo "----- server log ($dir/server.log) -----" >&2
      cat "$dir/server.log" >&2 2>/dev/null || true
      die "the PostgreSQL server did not start"
    fi
    echo "host=$sock port=$port dbname=postgres user=postgres"
    ;;
  stop)
    [[ $# -eq 2 ]] || die "usage: $0 stop DIR"
    check_dir "$2"
    BINDIR=$(find_bindir)
    teardown "$2"
    ;;
  stop-immediate)
    [[ $# -eq 2 ]] || die "usage: $0 stop-immediate DIR"
    check_dir "$2"
    BINDIR=$(find_bindir)
    [[ -f "$2/data/postmaster.pid" ]] || die "no running cluster in $2"
    (cd "$2" && as_owner "$BINDIR/pg_ctl" -D "$2/data" -m immediate -w -t 30 stop) >/dev/null
    ;;
  restart)
    [[ $# -eq 3 ]] || die "usage: $0 restart DIR PORT"
    dir=$2 port=$3
    check_dir "$dir"
    BINDIR=$(find_bindir)
    [[ -f "$dir/data/PG_VERSION" ]] || die "no cluster in $dir to restart (use start)"
    # After an immediate stop the server runs crash recovery before it accepts connections; -w waits for it.
    if ! (cd "$dir" && as_owner "$BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start) \
          >"$dir/pg_ctl.log" 2>&1; then
      cat "$dir/pg_ctl.log" >&2
      echo "----- server log ($dir/server.log) -----" >&2
      tail -n 50 "$dir/server.log" >&2 2>/dev/null || true
      die "the PostgreSQL server did not restart"
    fi
    echo "host=$dir/sock port=$port dbname=postgres user=postgres"
    ;;
  psql)
    [[ $# -ge 3 ]] || die "usage: $0 psql DIR PORT [psql args...]"
    dir=$2 port=$3
    shift 3
    BINDIR=$(find_bindir)
    psql="$BINDIR/psql"
    [[ -x "$psql" ]] || psql=$(command -v psql) || die "cannot find psql"
    exec "$psql" -X -v ON_ERROR_STOP=1 "host=$dir/sock port=$port dbname=postgres user=postgres" "$@"
    ;;
  *)
    die "usage: $0 start DIR PORT | stop DIR | stop-immediate DIR | restart DIR PORT | psql DIR PORT [psql args...]"
    ;;
esac
