#!/usr/bin/env python3
"""Writes wave-2024-02.ndjson: a replayable stream of a spam wave mixed with ordinary traffic.

60 scripted accounts on 4 open-registration servers post near-identical text (different mentions and a
random suffix) within two hours, while 40 long-lived accounts on 8 servers post their own words.
Deterministic (seeded), so tests can rely on it. Run it again after changing it; commit both files.
"""
import json, random
from datetime import datetime, timedelta, timezone

random.seed(20240215)
start = datetime(2024, 2, 15, 9, 0, tzinfo=timezone.utc)
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
spam_hosts = ["open-reg.example", "edu-social.example", "acm-like.example", "tiny.example"]
legit_hosts = [f"community{i}.example" for i in range(8)]
topics = ["the rain finally stopped", "my sourdough starter is alive", "new release of our editor",
          "the train was late again", "a heron in the canal", "finished the quilt", "conference talk slides",
          "the cat learned to open doors", "tomatoes are ripening", "fixed the bike brakes"]

def note(actor, text, at, mentions=(), reply=None, ident=None):
    tags = [{"type": "Mention", "href": m, "name": "@" + m.rsplit("/", 1)[-1]} for m in mentions]
    mention_html = " ".join(f'<span class="h-card"><a class="u-url mention" href="{m}">@{m.rsplit("/", 1)[-1]}</a></span>' for m in mentions)
    obj = {"id": f"{actor}/statuses/{ident}", "type": "Note", "attributedTo": actor, "published": at,
           "to": [PUBLIC], "cc": [f"{actor}/followers"], "content": f"<p>{text} {mention_html}</p>", "tag": tags}
    if reply:
        obj["inReplyTo"] = reply
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/statuses/{ident}/activity",
            "type": "Create", "actor": actor, "published": at, "to": [PUBLIC], "object": obj}

events = []
for i in range(60):
    host = spam_hosts[i % len(spam_hosts)]
    name = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    actor = f"https://{host}/users/{name}"
    at = start + timedelta(minutes=2 * i, seconds=random.randint(0, 59))
    victims = [f"https://misskey{random.randint(0, 9)}.example/users/{random.randint(1000, 9999)}" for _ in range(4)]
    text = ("Limited offer for the fediverse: join our server today and get verified instantly, "
            f"everyone is moving here now {name[:4]}")
    actor_doc = {"id": actor, "type": "Person", "preferredUsername": name, "name": name,
                 "published": (at - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"), "inbox": actor + "/inbox"}
    events.append((at, {"id": f"wave-{i:02d}", "activity": note(actor, text, at.isoformat().replace("+00:00", "Z"), victims, ident=1000 + i), "actor": actor_doc}))
for i in range(40):
    host = legit_hosts[i % len(legit_hosts)]
    actor = f"https://{host}/users/person{i}"
    at = start + timedelta(minutes=3 * i, seconds=random.randint(0, 59))
    text = f"Today: {random.choice(topics)}, and {random.choice(topics)}. Number {i}."
    mentions = [f"https://{random.choice(legit_hosts)}/users/friend{random.randint(0, 30)}"] if i % 3 == 0 else []
    actor_doc = {"id": actor, "type": "Person", "preferredUsername": f"person{i}", "name": f"Person {i}",
                 "published": "2019-05-01T00:00:00Z", "icon": {"type": "Image", "url": f"https://{host}/a/{i}.png"}}
    events.append((at, {"id": f"legit-{i:02d}", "activity": note(actor, text, at.isoformat().replace("+00:00", "Z"), mentions, ident=5000 + i), "actor": actor_doc}))
events.sort(key=lambda e: e[0])
with open("wave-2024-02.ndjson", "w") as out:
    for _, envelope in events:
        out.write(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + "\n")
