"""Accounts that may call the service, and the console users each one manages."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    app_id: str


@dataclass
class Account:
    name: str
    password: str
    app_id: str
    fax_enabled: bool = True
    console_users: dict[str, str] = field(default_factory=dict)

    def accepts(self, credentials: Credentials) -> bool:
        return (credentials.password, credentials.app_id) == (self.password, self.app_id)


DEMO_ACCOUNT = Account(name="demo", password="demo", app_id="demo")


class AccountRegistry:
    """The known accounts, looked up by user name; thread-safe.

    ``open``: an unknown user is welcome; its first call makes a tenant named
    ``USER/AppID`` that remembers its password, isolated from every other one.
    """

    def __init__(self, accounts: Iterable[Account] = (), open: bool = False) -> None:
        self._lock = threading.Lock()
        self._accounts = {account.name: account for account in accounts}
        self.open = open

    def authenticate(self, credentials: Credentials) -> Account | None:
        account = self.named(credentials.user)
        if account is None and self.open:
            account = self._tenant(credentials)
        return account if account is not None and account.accepts(credentials) else None

    def _tenant(self, credentials: Credentials) -> Account | None:
        if not all((credentials.user, credentials.password, credentials.app_id)):
            return None
        name = f"{credentials.user}/{credentials.app_id}"
        with self._lock:
            return self._accounts.setdefault(
                name, Account(name, credentials.password, credentials.app_id)
            )

    def add(self, account: Account) -> None:
        with self._lock:
            self._accounts[account.name] = account

    def named(self, name: str) -> Account | None:
        """The account of that user name, no password asked (for tests and the control API)."""
        return self._accounts.get(name)

    def console_users(self, account: Account) -> Mapping[str, str]:
        """The account's console users and their passwords."""
        with self._lock:
            return dict(account.console_users)

    def add_console_user(self, account: Account, user_name: str, password: str) -> bool:
        with self._lock:
            if user_name in account.console_users:
                return False
            account.console_users[user_name] = password
            return True

    def remove_console_user(self, account: Account, user_name: str) -> bool:
        with self._lock:
            return account.console_users.pop(user_name, None) is not None

    def forget_console_users(self, name: str) -> None:
        account = self._accounts.get(name)
        if account is not None:
            with self._lock:
                account.console_users.clear()

    def names(self) -> list[str]:
        return sorted(self._accounts)
