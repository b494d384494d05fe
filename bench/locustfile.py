"""Locust users for ``bench/load.py``: students practising and teachers looking at their classes.

Simulated with FastHttpUser (geventhttpclient), the light client, so that the load generator
leaves the cores to the server. A student signs in, then loops: ask for the next item, think
3-8 s, answer it (a quarter of the time after asking for a hint), read the feedback for about a
second, now and then open their home page. A teacher signs in and looks at a class grid and
"who to see today". Every answer the server acknowledges is written to ``$LOAD_ACKED`` so
``load.py`` can check that each one is in the evidence log. Names of the request kinds: login,
next, answer, hint, home, grid, who_to_see.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
import time
from typing import Any

from locust import FastHttpUser, between, events, task

STUDENTS = [name for name in os.environ.get("LOAD_STUDENTS", "").split(",") if name]
TEACHERS = [name for name in os.environ.get("LOAD_TEACHERS", "").split(",") if name]
PASSWORD = os.environ.get("LOAD_PASSWORD", "tandem-demo")
ACKED = os.environ.get("LOAD_ACKED", "")
THINK_ANSWER = (3.0, 8.0)  # seconds a student spends on an item before answering
THINK_FEEDBACK = (0.5, 1.5)  # reading the feedback before "Next item"

# Seconds measured once every student has signed in (the steady state); 0: until stopped.
STEADY_SECONDS = float(os.environ.get("LOAD_STEADY_SECONDS", "0"))

# Sign-ins the server asked to retry later (written to $LOAD_ACKED.busy at the end).
BUSY_SIGN_INS = [0]
SIGNED_IN = [0]
_students = itertools.cycle(STUDENTS)
_teachers = itertools.cycle(TEACHERS or ["rivera"])
_lock = threading.Lock()
_acked = open(ACKED, "a", buffering=1) if ACKED else None  # noqa: SIM115 - open for the run

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_FORM = re.compile(r'action="/learn/attempt/([0-9a-f-]{36})/answer/"')
CHOICE = re.compile(r'name="response" value="(\d+)"')
CLASS_LINK = re.compile(r'href="/teach/class/(\d+)/"')


def _sign_in(user: FastHttpUser, username: str) -> bool:
    """Sign in as a person would: when the server says it is busy signing others in (503 with
    Retry-After), wait that long and try again; that is back-pressure, not a failure."""
    import gevent

    for _ in range(60):
        page = user.client.get("/login/", name="login")
        token = CSRF.search(page.text or "")
        if token is None:
            return False
        with user.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{user.host}/login/"},
            name="login",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 302:
                response.success()
                return True
            if response.status_code == 503 and response.headers.get("Retry-After"):
                response.success()
                busy = float(response.headers["Retry-After"])
            else:
                response.failure(f"sign-in of {username} answered {response.status_code}")
                return False
        with _lock:
            BUSY_SIGN_INS[0] += 1
        gevent.sleep(busy * random.uniform(1.0, 2.0))
    return False


class Student(FastHttpUser):
    weight = 100
    wait_time = between(*THINK_FEEDBACK)

    def on_start(self) -> None:
        with _lock:
            self.username = next(_students)
        self.rng = random.Random(self.username)
        self.signed_in = False
        self._sign_in()

    def _sign_in(self) -> None:
        self.signed_in = _sign_in(self, self.username)
        if self.signed_in:
            with _lock:
                SIGNED_IN[0] += 1
                everyone = SIGNED_IN[0] == len(STUDENTS)
            if everyone:
                _steady_state_begins(self.environment)

    @task
    def practise_one_item(self) -> None:
        if not self.signed_in:
            self._sign_in()
            return
        if self.rng.random() < 0.1:
            self.client.get("/learn/", name="home")
        page = self.client.get("/learn/practice/", name="next")
        html = page.text or ""
        form = ANSWER_FORM.search(html)
        token = CSRF.search(html)
        if form is None or token is None:
            return
        attempt = form.group(1)
        headers = {"Referer": f"{self.host}/learn/practice/", "X-CSRFToken": token.group(1)}
        think = self.rng.uniform(*THINK_ANSWER)
        if self.rng.random() < 0.25:
            self._sleep(think / 2)
            self.client.post(
                f"/learn/attempt/{attempt}/hint/",
                {"csrfmiddlewaretoken": token.group(1)},
                headers=headers | {"HX-Request": "true"},
                name="hint",
            )
            think /= 2
        self._sleep(think)
        choices = CHOICE.findall(html)
        # One value (FastHttpUser form-encodes a dict without repeated keys).
        if choices:
            response = self.rng.choice(choices)
        else:
            response = str(self.rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 24]))
        with self.client.post(
            f"/learn/attempt/{attempt}/answer/",
            {"csrfmiddlewaretoken": token.group(1), "response": response},
            headers=headers | {"HX-Request": "true"},
            name="answer",
            catch_response=True,
        ) as answered:
            body = answered.text or ""
            if answered.status_code == 200 and 'id="feedback-heading"' in body:
                answered.success()
                if _acked is not None:
                    with _lock:
                        _acked.write(attempt + "\n")
            elif answered.status_code == 200:
                # A format the item refused (a number typed for a text answer): nothing stored.
                answered.success()
            else:
                answered.failure(f"answer answered {answered.status_code}")

    def _sleep(self, seconds: float) -> None:
        import gevent

        gevent.sleep(seconds)


class Teacher(FastHttpUser):
    # No teachers named (load.py --teachers 0): students practise alone.
    abstract = not TEACHERS
    weight = 1
    fixed_count = len(TEACHERS)
    wait_time = between(5.0, 15.0)

    def on_start(self) -> None:
        with _lock:
            self.username = next(_teachers)
        self.signed_in = _sign_in(self, self.username)
        self.rng = random.Random(self.username)
        classes = self.client.get("/teach/", name="classes").text or ""
        self.class_ids = sorted(set(CLASS_LINK.findall(classes)))

    @task(2)
    def class_grid(self) -> None:
        if self.class_ids:
            self.client.get(f"/teach/class/{self.rng.choice(self.class_ids)}/", name="grid")

    @task(1)
    def who_to_see(self) -> None:
        self.client.get("/checkins/", name="who_to_see")


def _steady_state_begins(environment: Any) -> None:
    """Every student is in: the statistics start again from here (sign-ins queue at one password
    check at a time, so they can outlast the spawning), ``$LOAD_ACKED.steady`` tells
    ``load.py`` to sample the server's CPU, and the run ends ``STEADY_SECONDS`` later."""
    import gevent

    environment.runner.stats.reset_all()
    if ACKED:
        with open(ACKED + ".steady", "w") as marker:
            marker.write(f"{time.time()}\n")
    if STEADY_SECONDS > 0:
        gevent.spawn_later(STEADY_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _close(environment: object, **kwargs: object) -> None:
    if _acked is not None:
        _acked.close()
        with open(ACKED + ".busy", "w") as busy:
            busy.write(f"{BUSY_SIGN_INS[0]}\n")
