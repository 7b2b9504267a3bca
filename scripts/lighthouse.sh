#!/usr/bin/env bash
# Lighthouse (mobile preset, its default) performance and accessibility of portal pages, signed in.
#
#   scripts/lighthouse.sh BASE_URL EMAIL [PATH ...]
#   scripts/lighthouse.sh http://127.0.0.1:8000 owner@acme.test /p/acme/dashboard /p/acme/tasks
#
# Signs in with curl (PASSWORD, default the demo's stoa-demo), passes the session cookie to
# Lighthouse with --extra-headers, and prints one line per page: performance and accessibility
# scores (0-100) and the audits that cost points. Reports go to $OUT (default /tmp/lighthouse).
# Lighthouse runs through npx at the pinned version below (not a project dependency); Chromium
# comes from CHROME_PATH (default /usr/bin/chromium).
set -euo pipefail
LIGHTHOUSE_VERSION=13.5.0
BASE=${1:?usage: scripts/lighthouse.sh BASE_URL EMAIL [PATH ...]}
EMAIL=${2:?usage: scripts/lighthouse.sh BASE_URL EMAIL [PATH ...]}
shift 2
PATHS=("$@")
[ ${#PATHS[@]} -gt 0 ] || PATHS=(/p/acme/dashboard /p/acme/tasks)
PASSWORD=${PASSWORD:-stoa-demo}
OUT=${OUT:-/tmp/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
mkdir -p "$OUT"
JAR="$OUT/cookies.txt"
rm -f "$JAR"

token=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$token" \
  --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/login"
session=$(awk '$6 == "stoa_session" { print $7 }' "$JAR")
[ -n "$session" ] || { echo "could not sign in as $EMAIL at $BASE" >&2; exit 1; }

for path in "${PATHS[@]}"; do
  name=$(printf '%s' "$path" | tr '/' '_' | sed 's/^_//')
  npx --yes "lighthouse@$LIGHTHOUSE_VERSION" "$BASE$path" --quiet \
    --only-categories=performance,accessibility \
    --extra-headers="{\"Cookie\": \"stoa_session=$session\"}" \
    --chrome-flags="--headless=new --no-sandbox" \
    --output=json --output=html --output-path="$OUT/$name" >/dev/null
  python3 - "$OUT/$name.report.json" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cats = report["categories"]
if report["finalDisplayedUrl"].rstrip("/").endswith("/login"):
    sys.exit(f"{sys.argv[2]}: Lighthouse was sent to the sign-in page (session not accepted)")
scores = {k: round((v["score"] or 0) * 100) for k, v in cats.items()}
lost = []
for cat in cats.values():
    for ref in cat["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            lost.append(f"{ref['id']}={audit['score']:.2f}")
metrics = {k: report["audits"][k]["displayValue"] for k in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index")}
print(f"{sys.argv[2]}: performance {scores['performance']}, accessibility {scores['accessibility']}")
print("  " + ", ".join(f"{k} {v}" for k, v in metrics.items()))
if lost:
    print("  costs points: " + ", ".join(lost))
PY
done
