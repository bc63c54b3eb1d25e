#!/usr/bin/env python3
"""Replays Klaviyo flows over order histories with Django's own template engine.

Klaviyo's template language is based on Django's, so the webhook bodies are rendered here by Django
(Debian's python3-django). Input (JSON on stdin):

  {"flows": [<Create Flow request body>, ...],
   "profiles": [{"email": "...", "events": [{"time": <epoch seconds>, "properties": {...}}, ...]}, ...],
   "missing": "empty" | "none"}

For each profile, its events in the order given (time order), and for each flow, the flow is walked
from its entry action as Klaviyo would run it:
  - conditional-split with a profile-metric count condition: the profile's events placed in the last
    N days (N x 24 hours back, both ends inclusive, this event and any at the same instant included);
  - send-webhook: the body is rendered with `person` = the profile's current properties (and its
    email) and `event` = the event's properties; it must parse as JSON (a key twice in one object is
    refused: what Klaviyo makes of it is not documented); if it names the profile's own email, its
    data.attributes.properties are applied as Create Client Profile applies them (each key sent is
    set, keys not sent are left alone). A legacy /api/identify body ({"token", "properties"}) is
    applied the same way, without its `$` keys.
A flow whose re-entry criteria do not let every order in is entered by the first event only.

`lookup` is not a Django filter: Klaviyo documents it (person|lookup:'Loyalty Points'). It is
registered here as a dict lookup; what it gives for a missing key is not documented, so the caller
chooses "" or None ("missing") and runs both. `{% now %}` renders the event's own time.

Output (JSON on stdout): {"profiles": {email: {property: value}}, "bodies": [every rendered body, parsed],
"misaddressed": [{"email": profile replayed, "named": the email its webhook sent instead}]}.
Any template or JSON error stops the run with a message naming the profile, event and webhook.
"""
import datetime as dt
import json
import sys

import django
from django.conf import settings

settings.configure(USE_TZ=True, TIME_ZONE="UTC", TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
django.setup()

from django.template import Context, Engine, Library, defaulttags  # noqa: E402

DAY_SECONDS = 24 * 60 * 60


class EventClock(dt.datetime):
    """What `{% now %}` reads: the time of the event being replayed (set before each render)."""

    current = None

    @classmethod
    def now(cls, tz=None):
        return cls.current.astimezone(tz) if tz is not None else cls.current


defaulttags.datetime = EventClock


def make_engine(missing):
    library = Library()

    @library.filter
    def lookup(value, key):
        if isinstance(value, dict) and key in value:
            return value[key]
        return missing

    engine = Engine(autoescape=True)
    engine.template_builtins.append(library)
    return engine


def count_in_window(times, at, condition):
    timeframe = condition["timeframe_filter"]
    if condition["measurement"] != "count" or timeframe["operator"] != "in-the-last" or timeframe["unit"] != "day":
        raise SystemExit(f"unsupported split condition: {json.dumps(condition)}")
    start = at - timeframe["quantity"] * DAY_SECONDS
    return sum(1 for t in times if start <= t <= at)


NUMERIC = {
    "less-than-or-equal": lambda a, b: a <= b,
    "less-than": lambda a, b: a < b,
    "equals": lambda a, b: a == b,
    "greater-than": lambda a, b: a > b,
    "greater-than-or-equal": lambda a, b: a >= b,
    "not-equals": lambda a, b: a != b,
}


def split_holds(action, times, at, metric_id):
    groups = action["data"]["profile_filter"]["condition_groups"]
    for group in groups:
        if not any(condition_holds(c, times, at, metric_id) for c in group["conditions"]):
            return False
    return True


def condition_holds(condition, times, at, metric_id):
    if condition["type"] != "profile-metric" or condition["metric_id"] != metric_id:
        raise SystemExit(f"the split counts another metric than the trigger: {json.dumps(condition)}")
    measured = condition["measurement_filter"]
    return NUMERIC[measured["operator"]](count_in_window(times, at, condition), measured["value"])


def unique_keys(pairs):
    """A key twice in one object is refused: what Klaviyo does with it is not documented."""
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"keys written more than once: {', '.join(twice)}")
    return dict(pairs)


def addressed(body):
    """The email a body names and the properties it sets."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        attributes = body["data"].get("attributes") or {}
        named, properties = attributes.get("email"), attributes.get("properties") or {}
    elif isinstance(body, dict) and isinstance(body.get("properties"), dict):
        named = body["properties"].get("$email")
        properties = {k: v for k, v in body["properties"].items() if not k.startswith("$")}
    else:
        raise SystemExit(f"not a profile body: {json.dumps(body)}")
    return named, properties


def replay(request):
    engine = make_engine(None if request.get("missing") == "none" else "")
    flows = []
    for flow in request["flows"]:
        definition = flow["data"]["attributes"]["definition"]
        reentry = definition.get("reentry_criteria") or {"unit": "alltime", "duration": 1}
        if reentry["unit"] != "alltime" or reentry["duration"] not in (0, 1):
            raise SystemExit(f"unsupported re-entry criteria: {json.dumps(reentry)}")
        actions = {a["temporary_id"]: a for a in definition["actions"]}
        templates = {a["temporary_id"]: engine.from_string(a["data"]["message"]["body"]) for a in definition["actions"] if a["type"] == "send-webhook"}
        flows.append((flow["data"]["attributes"]["name"], definition, actions, templates, reentry["duration"] == 0))
    result = {}
    bodies = []
    misaddressed = []
    for profile in request["profiles"]:
        email = profile["email"]
        stored = {}
        times = [event["time"] for event in profile["events"]]
        for index, event in enumerate(profile["events"]):
            EventClock.current = dt.datetime.fromtimestamp(event["time"], tz=dt.timezone.utc)
            for name, definition, actions, templates, every_order in flows:
                if index > 0 and not every_order:
                    continue
                metric_id = definition["triggers"][0]["id"]
                step = definition["entry_action_id"]
                while step is not None:
                    action = actions[step]
                    if action["type"] == "conditional-split":
                        holds = split_holds(action, times, event["time"], metric_id)
                        step = action["links"]["next_if_true" if holds else "next_if_false"]
                    elif action["type"] == "send-webhook":
                        person = {**stored, "email": email}
                        text = templates[step].render(Context({"person": person, "event": event["properties"]}))
                        try:
                            body = json.loads(text, object_pairs_hook=unique_keys)
                        except ValueError as error:
                            raise SystemExit(f"{email}, event {index}, flow {name!r}, webhook {step}: not JSON ({error}):\n{text}")
                        bodies.append(body)
                        named, properties = addressed(body)
                        if named == email:
                            stored.update(properties)
                        else:
                            # Klaviyo would upsert another profile: this one keeps what it had.
                            misaddressed.append({"email": email, "named": named})
                        step = (action.get("links") or {}).get("next")
                    else:
                        raise SystemExit(f"unsupported action {action['type']}")
        result[email] = stored
    return {"profiles": result, "bodies": bodies, "misaddressed": misaddressed}


if __name__ == "__main__":
    json.dump(replay(json.load(sys.stdin)), sys.stdout)
