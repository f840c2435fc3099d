"""Writes a schemathesis config that feeds real ids of the demo dataset into path parameters.

Used by bench/schemathesis.sh: without it, every `{id}` would be a random uuid and every call on
a record would stop at 404 before reaching the core. Each `{id}` takes a real id of its kind with
probability 0.75 and a generated value otherwise, so the 404 and 400 paths stay covered.

    python3 bench/schemathesis-ids.py BASE_URL TOKEN OUT.toml
"""

import json
import sys
import urllib.request

BASE, TOKEN, OUT = sys.argv[1], sys.argv[2], sys.argv[3]


def get(path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.load(res)


def ids(path, key="id", limit=20):
    return [item[key] for item in get(f"{path}?limit={limit}")["items"]]


cases = ids("/api/v1/cases")
kinds = {
    # dictionary: (ids, path regex of the operations whose {id} is one)
    "case": (cases + ["UC-000001"], r"^/api/v1/cases/\{id\}"),
    "person": ([get(f"/api/v1/cases/{c}")["person"]["id"] for c in cases], r"^/api/v1/people/\{id\}"),
    "intel": (ids("/api/v1/intel"), r"^/api/v1/intel/\{id\}"),
    "source": (ids("/api/v1/sources"), r"^/api/v1/sources/\{id\}"),
    "suspect": (ids("/api/v1/suspects"), r"^/api/v1/suspects/\{id\}"),
    "rescue": (ids("/api/v1/rescues"), r"^/api/v1/rescues/\{id\}"),
    "facility": (ids("/api/v1/facilities"), r"^/api/v1/facilities/\{id\}"),
    "group": (ids("/api/v1/campaign/groups"), r"^/api/v1/campaign/groups/\{id\}"),
    "action": (ids("/api/v1/campaign/actions"), r"^/api/v1/campaign/actions/\{id\}"),
    "followup": (
        [f for c in cases[:5] for f in ids(f"/api/v1/cases/{c}/followups")],
        r"^/api/v1/followups/\{id\}",
    ),
    "document": (
        [d for c in cases[:5] for d in ids(f"/api/v1/cases/{c}/documents")],
        r"^/api/v1/documents/\{id\}",
    ),
}

# No state carried between runs: each run is decided by the seed and the demo data alone.
lines = ["[cache]", "enabled = false", ""]
for name, (values, regex) in kinds.items():
    if not values:
        continue
    lines.append(f"[dictionaries.{name}]")
    lines.append("values = " + json.dumps(values))
    lines.append("")
for name, (values, regex) in kinds.items():
    if not values:
        continue
    lines.append("[[operations]]")
    lines.append("include-path-regex = " + json.dumps(regex))
    lines.append(f'parameters = {{ "path.id" = {{ dictionary = "{name}", probability = 0.75 }} }}')
    lines.append("")
with open(OUT, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
print(", ".join(f"{name}: {len(v)}" for name, (v, _) in kinds.items()))
