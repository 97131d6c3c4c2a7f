"""Sign-in throttling: after a few failures, each further attempt waits longer; never a lockout.

Failures are counted per account (the email as typed, lower case, whether or not an account
has it, so the answer tells nothing about which exist) and per client address. Once a key has
FREE failures, its next attempt is allowed only DELAY after the last failure, doubling with
each further failure up to CAP; attempts inside the wait are refused (429) without being
counted, so the real person can always sign in once the wait has passed. A success clears its
account's count; a key with no failure for FORGET is forgotten.

Counts live in each worker's memory, like feed.ops.ratelimit's buckets: throttling guards against
guessing, and a write to the store on every failed attempt would be the very load an attacker
makes. With N worker processes an attacker gets up to N times the attempts, and a restart
forgets the counts; argon2's cost and the cap still bound the guessing rate.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

MAX_KEYS = 65_536  # keys kept per kind; the least recently failed is forgotten past this


@dataclass(frozen=True)
class Policy:
    free: int  # failures before any wait
    delay: float = 1.0  # seconds after the first failure past `free`, doubling after each further one
    cap: float = 900.0  # the longest wait, seconds
    forget: float = 86_400.0  # seconds without a failure after which the count starts again

    def wait_after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap, self.delay * 2.0 ** min(failures - self.free, 32))


ACCOUNT = Policy(free=5)
ADDRESS = Policy(free=20)


class _Counts:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (count, last failure)

    def _get(self, key: str, now: float) -> tuple[int, float]:
        count, last = self.failures.get(key, (0, now))
        if now - last >= self.policy.forget:
            return 0, now
        return count, last

    def wait(self, key: str, now: float) -> float:
        count, last = self._get(key, now)
        return max(0.0, last + self.policy.wait_after(count) - now) if count else 0.0

    def fail(self, key: str, now: float) -> None:
        count, _ = self._get(key, now)
        self.failures[key] = (count + 1, now)
        self.failures.move_to_end(key)
        if len(self.failures) > MAX_KEYS:
            self.failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)


class SignInThrottle:
    def __init__(self, account: Policy = ACCOUNT, address: Policy = ADDRESS):
        self.accounts, self.addresses = _Counts(account), _Counts(address)
        self.lock = threading.Lock()

    def wait(self, email: str, address: str, now: float) -> int:
        """Whole seconds until an attempt for `email` from `address` may be made; 0: now."""
        with self.lock:
            seconds = max(self.accounts.wait(email, now), self.addresses.wait(address, now))
        return math.ceil(seconds)

    def failed(self, email: str, address: str, now: float) -> None:
        with self.lock:
            self.accounts.fail(email, now)
            self.addresses.fail(address, now)

    def succeeded(self, email: str) -> None:
        with self.lock:
            self.accounts.clear(email)
