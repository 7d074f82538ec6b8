# Shared by the bench scripts (sourced): timing helpers.
# RUNS (default 3) sets how many runs best_of keeps the fastest of.

now() { date +%s.%N; }

# best_of CMD...: the fastest wall time of RUNS runs, in seconds.
best_of() {
  local best="" t0 t1 d
  for _ in $(seq "${RUNS:-3}"); do
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
  done
  printf '%.3f' "$best"
}
