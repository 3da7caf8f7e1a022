#!/usr/bin/env bash
# Curl-driven smoke test against running services (SPEC §9):
#   ORDER_URL (default http://127.0.0.1:3001), INVENTORY_URL (default http://127.0.0.1:3003)
# 1. the task file's example order ends CONFIRMED and takes its stock;
# 2. an order beyond stock ends CANCELLED with reason INSUFFICIENT_STOCK and takes nothing;
# 3. a customer cancel of a confirmed order releases its stock.
# Exits non-zero with a clear message at the first failure.
set -euo pipefail

ORDER_URL="${ORDER_URL:-http://127.0.0.1:3001}"
INVENTORY_URL="${INVENTORY_URL:-http://127.0.0.1:3003}"
WAIT_MS="${SMOKE_WAIT_MS:-20000}"

pass() { printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; exit 1; }

# json FIELD.PATH < body — prints the value (empty when missing); node is here anyway.
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v;try{v=JSON.parse(s)}catch{process.exit(0)}for(const k of process.argv[1].split("."))v=v==null?v:v[k];if(v!=null)process.stdout.write(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }

# request METHOD URL [BODY] — sets STATUS and BODY
request() {
  local out
  out=$(curl -sS -X "$1" "$2" -H 'Content-Type: application/json' ${3:+--data "$3"} -w '\n%{http_code}') || fail "cannot reach $2 (is the service running?)"
  STATUS="${out##*$'\n'}"
  BODY="${out%$'\n'*}"
}

available_of() {
  request GET "$INVENTORY_URL/api/inventory/$1"
  [ "$STATUS" = 200 ] || fail "GET /api/inventory/$1 answered $STATUS: $BODY"
  json data.available <<<"$BODY"
}

place_and_wait() { # BODY → sets ORDER_ID, ORDER_STATUS, REASON
  request POST "$ORDER_URL/api/orders" "$1"
  [ "$STATUS" = 201 ] || fail "POST /api/orders answered $STATUS: $BODY"
  ORDER_ID=$(json data.id <<<"$BODY")
  [ -n "$ORDER_ID" ] || fail "POST /api/orders returned no order id: $BODY"
  request GET "$ORDER_URL/api/orders/$ORDER_ID?waitFor=CONFIRMED,CANCELLED&timeoutMs=$WAIT_MS"
  [ "$STATUS" = 200 ] || fail "GET /api/orders/$ORDER_ID answered $STATUS: $BODY"
  ORDER_STATUS=$(json data.status <<<"$BODY")
  REASON=$(json data.cancellation.reason <<<"$BODY")
}

echo "Smoke test: orders at $ORDER_URL, inventory at $INVENTORY_URL"
for url in "$ORDER_URL" "$INVENTORY_URL"; do
  request GET "$url/health/ready"
  [ "$STATUS" = 200 ] || fail "$url/health/ready answered $STATUS: $BODY"
done
pass "both services ready"

# 1. The task file's example order.
before=$(available_of 1)
[ "${before:-0}" -ge 2 ] || fail "product 1 has only ${before:-0} units; restock it (PUT /api/inventory/1) and rerun"
place_and_wait '{"customerId":"123","items":[{"productId":"1","quantity":2,"price":29.99}]}'
[ "$ORDER_STATUS" = CONFIRMED ] || fail "example order $ORDER_ID ended $ORDER_STATUS ${REASON:+($REASON)}, expected CONFIRMED"
total=$(json data.totalAmount <<<"$BODY")
[ "$total" = 59.98 ] || fail "example order total is $total, expected 59.98"
after=$(available_of 1)
[ "$after" -eq $((before - 2)) ] || fail "product 1 available went $before → $after, expected $((before - 2))"
pass "example order $ORDER_ID CONFIRMED, total 59.98, product 1 stock $before → $after"

# 2. More than there is.
before=$(available_of 2)
too_many=$((before + 1))
[ "$too_many" -le 1000 ] || fail "product 2 has $before units: too many for a one-line order beyond stock"
place_and_wait "{\"customerId\":\"smoke\",\"items\":[{\"productId\":\"2\",\"quantity\":$too_many,\"price\":1.00}]}"
[ "$ORDER_STATUS" = CANCELLED ] || fail "order beyond stock $ORDER_ID ended $ORDER_STATUS, expected CANCELLED"
[ "$REASON" = INSUFFICIENT_STOCK ] || fail "order beyond stock $ORDER_ID was cancelled with reason '$REASON', expected INSUFFICIENT_STOCK"
after=$(available_of 2)
[ "$after" -eq "$before" ] || fail "product 2 available went $before → $after although the order was cancelled"
pass "order beyond stock $ORDER_ID CANCELLED (INSUFFICIENT_STOCK), product 2 stock unchanged at $after"

# 3. A cancel releases the stock.
before=$(available_of 3)
place_and_wait '{"customerId":"smoke","items":[{"productId":"3","quantity":1,"price":5.00}]}'
[ "$ORDER_STATUS" = CONFIRMED ] || fail "order $ORDER_ID ended $ORDER_STATUS ${REASON:+($REASON)}, expected CONFIRMED"
request POST "$ORDER_URL/api/orders/$ORDER_ID/cancel" '{"reason":"smoke test"}'
[ "$STATUS" = 200 ] || fail "POST /api/orders/$ORDER_ID/cancel answered $STATUS: $BODY"
[ "$(json data.status <<<"$BODY")" = CANCELLED ] || fail "cancelled order $ORDER_ID is $(json data.status <<<"$BODY")"
deadline=$((SECONDS + WAIT_MS / 1000))
until [ "$(available_of 3)" -eq "$before" ]; do
  [ $SECONDS -lt $deadline ] || fail "product 3 stock not released after cancelling $ORDER_ID: $before expected, $(available_of 3) now"
  sleep 0.2
done
request GET "$INVENTORY_URL/api/inventory/reservations/$ORDER_ID"
[ "$(json data.status <<<"$BODY")" = RELEASED ] || fail "reservation of $ORDER_ID is '$(json data.status <<<"$BODY")', expected RELEASED"
pass "customer cancel of $ORDER_ID released its stock (product 3 back to $before)"

echo "Smoke test passed."
