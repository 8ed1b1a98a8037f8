# shellcheck shell=bash
# Progress for ./dev's long first-time steps (apt installs, npm ci, building the pinned Supabase
# parts). Source it, then:
#
#   with_progress "building Supabase Auth" 120 some_command args...
#
# runs the command and, on stderr, says what runs and about how long it takes, then every
# $DEV_PROGRESS_INTERVAL seconds (default 10) how long it has run against the estimate, and at the
# end how long it took. At a terminal the running line is rewritten in place; otherwise (a CI log)
# one line is printed per interval. The command's exit status is returned unchanged.

# "1 min 30 s", "45 s".
progress_duration() {
  local s=$1
  if [ "$s" -ge 60 ]; then
    if [ $((s % 60)) -eq 0 ]; then echo "$((s / 60)) min"; else echo "$((s / 60)) min $((s % 60)) s"; fi
  else
    echo "$s s"
  fi
}

with_progress() {
  local label=$1 estimate=$2
  shift 2
  local interval=${DEV_PROGRESS_INTERVAL:-10} tty=0 start pid status elapsed left
  if [ -t 2 ] || [ "${DEV_PROGRESS_TTY:-}" = 1 ]; then tty=1; fi
  start=$SECONDS
  echo "[dev] $label (about $(progress_duration "$estimate"), first time only)…" >&2
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for ((i = 0; i < interval * 4; i++)); do
      kill -0 "$pid" 2>/dev/null || break 2
      sleep 0.25
    done
    elapsed=$((SECONDS - start))
    if [ "$elapsed" -lt "$estimate" ]; then
      left="about $(progress_duration $((estimate - elapsed))) left"
    else
      left="taking longer than the usual $(progress_duration "$estimate")"
    fi
    if [ "$tty" = 1 ]; then
      printf '\r\033[K[dev] %s: %s, %s' "$label" "$(progress_duration "$elapsed")" "$left" >&2
    else
      echo "[dev] $label: $(progress_duration "$elapsed"), $left" >&2
    fi
  done
  status=0
  wait "$pid" || status=$?
  [ "$tty" = 1 ] && printf '\r\033[K' >&2
  if [ "$status" -eq 0 ]; then
    echo "[dev] $label: done in $(progress_duration $((SECONDS - start)))" >&2
  else
    echo "[dev] $label: failed after $(progress_duration $((SECONDS - start))) (exit $status)" >&2
  fi
  return "$status"
}
