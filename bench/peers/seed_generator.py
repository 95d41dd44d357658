"""The peer of `tarn generate`: the seed article's generator as its Python would be written
(random, json.dumps, hashlib), same model and same output format. Used only by
bench/generate.py to measure tarn against what the seed used. Not part of the product.

usage: seed_generator.py SESSIONS SEED NOW_EPOCH_SECONDS OUTPUT
"""
import hashlib
import json
import random
import string
import sys
from datetime import datetime, timezone

TRANSITIONS = {
    "anonymous_visited": [("anonymous_visited", 0.4), ("account_created", 0.4), ("lost", 0.2)],
    "account_created": [("measurement_recorded", 0.7), ("lost", 0.3)],
    "measurement_recorded": [("measurement_recorded", 0.9), ("lost", 0.1)],
}
START = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
VERSIONS = ["2.0.1", "2.2.3", "3.2.5", "4.0.2", "4.1.1", "4.3.1", "4.4.4"]


def session_events(rng, now):
    session_id = "".join(rng.choice(string.ascii_letters) for _ in range(20))
    account_id = f"user{rng.randrange(10**6)}@example.com"
    mu = 10 + rng.random() * 170
    sigma = mu / 10
    state, t = "anonymous_visited", START
    while state != "lost":
        t = rng.randint(t, now)
        if state == "anonymous_visited":
            payload = {"dvce_os": f"Android {rng.choice(VERSIONS)}", "session_id": session_id}
        elif state == "account_created":
            payload = {"account_id": account_id, "session_id": session_id}
        else:
            payload = {"account_id": account_id, "measurement": rng.gauss(mu, sigma),
                       "session_id": session_id}
        yield state, t, payload
        names, weights = zip(*TRANSITIONS[state])
        state = rng.choices(names, weights)[0]


def main():
    sessions, seed, now, output = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(seed)
    events = []
    for _ in range(sessions):
        for name, t, payload in session_events(rng, now):
            tstamp = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            text = json.dumps(payload, sort_keys=True)
            event = {"name": name, "tstamp": tstamp, "payload": text,
                     "payload_md5": hashlib.md5(text.encode()).hexdigest()}
            events.append(event)
            if rng.random() < 0.01:
                events.append(event)
    events.sort(key=lambda e: e["payload_md5"])
    with open(output, "w") as f:
        for event in events:
            f.write(json.dumps(event) + "\n")


if __name__ == "__main__":
    main()
