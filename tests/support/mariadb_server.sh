#!/usr/bin/env bash
# A throwaway MariaDB server listening on a Unix socket only.
#
#   mariadb_server.sh start DIR [durable]   mariadb-install-db into DIR/data, start mariadbd, print the URL
#   mariadb_server.sh stop  DIR     stop it and remove DIR
#   mariadb_server.sh sql   DIR ARGS  run the mariadb client against it as root
#
# Layout: DIR/data (data dir), DIR/sock (the socket), DIR/server.log, DIR/server.pid.
# max_allowed_packet is 64 MiB (MariaDB's default is 16 MiB), so that the conformance suite's 16 MiB
# text and bytes values fit one row; the backend reads it from the server.
# The URL: "mariadb://root@localhost/test?socket=DIR/sock" (root over the socket, no password: the
# server is started with --no-defaults, so nothing of the machine's configuration applies).
# The tests' server trades durability for speed (no log flush at commit, no doublewrite buffer);
# `durable` keeps MariaDB's defaults for those (what bench_mariadb --mariadb-start measures).
# mariadbd refuses to run as root unless told to, so as root it runs as the `mysql` OS user.
set -euo pipefail

die() { echo "mariadb_server.sh: $*" >&2; exit 1; }

find_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    if [[ -x "/usr/sbin/$name" ]]; then echo "/usr/sbin/$name"; return; fi
  done
  die "cannot find $1 (install mariadb-server)"
}

owner_args() {
  if [[ $(id -u) -eq 0 ]]; then
    id mysql >/dev/null 2>&1 || die "running as root but there is no 'mysql' OS user"
    echo "--user=mysql"
  fi
}

teardown() {
  local dir=$1 pid
  if [[ -f "$dir/server.pid" ]]; then
    pid=$(head -n 1 "$dir/server.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
       [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == mariadbd* || "$(ps -o comm= -p "$pid" 2>/dev/null)" == mysqld* ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
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
    [[ $# -eq 2 || ( $# -eq 3 && "$3" == durable ) ]] || die "usage: $0 start DIR [durable]"
    dir=$2
    fast=(--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0)
    [[ $# -eq 3 ]] && fast=()
    check_dir "$dir"
    (( ${#dir} + 5 <= 107 )) || die "socket path too long: $dir/sock"
    install_db=$(find_bin mariadb-install-db mysql_install_db)
    server=$(find_bin mariadbd mysqld)
    teardown "$dir"
    mkdir -p "$dir/data"
    chmod 755 "$dir"
    user=$(owner_args)
    if [[ -n "$user" ]]; then chown -R mysql:mysql "$dir"; fi
    # shellcheck disable=SC2086 # $user is one word or none
    if ! (cd "$dir" && "$install_db" --no-defaults $user --datadir="$dir/data" --auth-root-authentication-method=normal \
          --skip-test-db --skip-name-resolve) >"$dir/install.log" 2>&1; then
      cat "$dir/install.log" >&2
      die "mariadb-install-db failed"
    fi
    # shellcheck disable=SC2086
    (cd "$dir" && exec "$server" --no-defaults $user --datadir="$dir/data" --socket="$dir/sock" \
       --skip-networking --pid-file="$dir/server.pid" --log-error="$dir/server.log" \
       ${fast[@]+"${fast[@]}"} --skip-log-bin \
       --innodb-buffer-pool-size=256M --max-connections=200 --local-infile=1 --max-allowed-packet=64M \
       --character-set-server=utf8mb4 --collation-server=utf8mb4_bin) >/dev/null 2>&1 &
    for _ in $(seq 600); do
      if [[ -S "$dir/sock" ]] && "$(find_bin mariadb-admin mysqladmin)" --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
        "$(find_bin mariadb mysql)" --no-defaults --socket="$dir/sock" -uroot -e "CREATE DATABASE IF NOT EXISTS test" ||
          die "cannot create the test database"
        echo "mariadb://root@localhost/test?socket=$dir/sock"
        exit 0
      fi
      sleep 0.1
    done
    echo "----- server log ($dir/server.log) -----" >&2
    cat "$dir/server.log" >&2 2>/dev/null || true
    die "the MariaDB server did not start"
    ;;
  stop)
    [[ $# -eq 2 ]] || die "usage: $0 stop DIR"
    check_dir "$2"
    teardown "$2"
    ;;
  sql)
    [[ $# -ge 2 ]] || die "usage: $0 sql DIR [mariadb client args...]"
    dir=$2
    shift 2
    exec "$(find_bin mariadb mysql)" --no-defaults --socket="$dir/sock" -uroot "$@"
    ;;
  *)
    die "usage: $0 start DIR [durable] | stop DIR | sql DIR [args...]"
    ;;
esac
