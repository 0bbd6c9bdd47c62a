"""The markup both untrusted-text suites inject into one scratch copy of the data (tests/conftest.py
`injected_site` builds it once per run; test_security.py opens its pages in Chromium, test_markup_from_data.py
reads them statically).

test_security.py's payloads: a <script> and an onerror image in a model name (Grok 4 of the notable file), in an
organization registered under a new alias, and in a policy event's title, description and actor.
test_markup_from_data.py's: Markdown images, links, reference-style links, raw HTML and javascript: URLs in the
five best ECI models' names (the first under a new organization alias), in every policy event title and every
event URL. They touch different rows (the security event is edited after the markup one, so its title is the
security suite's), so each suite's checks hold on the combined pages.
"""

from __future__ import annotations

# --- test_security.py ---------------------------------------------------------------------------------------
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
JS_LINK = "[click me](javascript:window.__xss=1)"
EVIL_MODEL = f"Grok{SCRIPT} 4"
EVIL_ORG = f'<b onmouseover="window.__xss=1">Evil Org</b>{IMG}'
EVIL_ORG_ALIAS = f"{IMG}xAI"
EVIL_TITLE = f"AI diffusion {SCRIPT} rule {JS_LINK}"
EVIL_EVENT = "us-bis-2025-01-13-ai-diffusion-rule"
MODELS_CSV = "epoch/notable_ai_models.csv"

# --- test_markup_from_data.py -------------------------------------------------------------------------------
ECI_CSV = "epoch/epoch_capabilities_index.csv"
EVIL_HOST = "evil.test"
MD_IMG = f"![pixel](https://{EVIL_HOST}/pixel.png)"
MD_LINK = "[click](javascript:alert(1))"
MD_REF = "[click][9] [9]: javascript:alert(1)"
RAW_HTML = f'<img src="https://{EVIL_HOST}/raw.png"><a href="javascript:alert(2)">x</a>'
PAYLOAD = f"{MD_IMG} {MD_LINK} {MD_REF} {RAW_HTML}"
EVIL_MODEL_SUFFIX = f" {PAYLOAD}"
MD_ORG = f"Evil Org {PAYLOAD}"
MD_ORG_ALIAS = "Evil Org Alias"
EVIL_EVENT_URL = f"https://example.test/a)![x](https://{EVIL_HOST}/url.png)[y](javascript:alert(3))\"><img/src=x>"

REPORTS = ["release_pace", "catch_up", "policy_timeline"]  # security: release_pace, policy_timeline; markup: the other two


def _models(rows):  # Grok 4 (the notable file's largest-compute model, record 102 when written)
    h = rows[0]
    r = next(r for r in rows[1:] if r[h.index("Model")] == "Grok 4")
    r[h.index("Model")] = EVIL_MODEL
    r[h.index("Organization")] = EVIL_ORG_ALIAS


def _eci(rows):  # the five best-scoring US and Chinese models: their names and one organization
    h = rows[0]
    scored = sorted((r for r in rows[1:] if r[h.index("ECI Score")]), key=lambda r: -float(r[h.index("ECI Score")]))[:5]
    for i, r in enumerate(scored):
        for col in ("Model name", "Display name"):
            r[h.index(col)] = r[h.index(col)] + EVIL_MODEL_SUFFIX
        if i == 0:
            r[h.index("Organization")] = MD_ORG_ALIAS


def _orgs(rows):
    rows.append([EVIL_ORG, EVIL_ORG_ALIAS, "United States", "company", "test row: injected markup"])
    rows.append([MD_ORG, MD_ORG_ALIAS, "United States", "company", "test row: injected markup"])


def _events(rows):
    h = rows[0]
    for r in rows[1:]:  # the markup suite: every title and URL
        r[h.index("title")] = r[h.index("title")][:40] + " " + PAYLOAD
        r[h.index("source_url")] = EVIL_EVENT_URL
    r = next(r for r in rows[1:] if r[0] == EVIL_EVENT)  # the security suite: one event
    r[h.index("title")] = EVIL_TITLE
    r[h.index("description")] = f"Described {IMG} here"
    r[h.index("actor")] = f"BIS{SCRIPT}"


EDITS = {f"external/{MODELS_CSV}": _models, f"external/{ECI_CSV}": _eci, "curated/organizations.csv": _orgs,
         "curated/policy_events.csv": _events}
