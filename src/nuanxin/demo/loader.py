"""Loads the Zhanjiang demo city, one part after another, each part idempotent.

Every part is a module with ``load(ctx: DemoContext) -> None``; parts that are not installed
are skipped. Running the loader twice changes nothing the second time.
"""

import base64
import hashlib
import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction

PARTS = [
    "nuanxin.demo.regions",
    "nuanxin.demo.people",
    "nuanxin.demo.registry",
    "nuanxin.demo.points",
    "nuanxin.demo.stations",
    "nuanxin.demo.reports",
    "nuanxin.demo.open311",
    "nuanxin.demo.store",
    "nuanxin.demo.volunteering",
    "nuanxin.demo.channels",
    "nuanxin.demo.party",
    "nuanxin.demo.industry",
    "nuanxin.demo.coverage",
]

DEMO_PASSWORD = "nuanxin-demo-2024"


def demo_totp_key(phone: str) -> str:
    """The authenticator key (hex) of a demo account whose role needs a second factor. Derived
    from the phone so that it is printed with the accounts and known to anyone who reads this:
    demo data only, never a real person's."""
    return hashlib.sha256(f"nuanxin-demo-totp:{phone}".encode()).digest()[:20].hex()


def demo_totp_secret(phone: str) -> str:
    """The same key as an authenticator app asks to have it typed in (base32)."""
    return base64.b32encode(bytes.fromhex(demo_totp_key(phone))).decode()


@dataclass
class DemoContext:
    out: TextIO
    seed: int = 2024
    # The demo accounts with a password (role, name, phone), printed at the end; how many of
    # them this run created.
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    accounts_created: int = 0
    # phone -> the authenticator key (base32) of the demo accounts that need a second factor.
    totp_secrets: dict[str, str] = field(default_factory=dict)

    def account(self, role: str, name: str, phone: str, *, created: bool) -> None:
        self.credentials.append((role, name, phone))
        self.accounts_created += int(created)

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part, so parts stay stable when others change."""
        return random.Random(f"{self.seed}:{part}")

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def load_demo(out: TextIO, seed: int = 2024) -> DemoContext:
    ctx = DemoContext(out=out, seed=seed)
    for name in PARTS:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        with transaction.atomic():
            module.load(ctx)
    _install_second_factors(ctx)
    # The line above the list of accounts (the command prints the list): it counts that list.
    ctx.say(
        f"\n演示账号 {len(ctx.credentials)} 个（本次新增 {ctx.accounts_created} 个；"
        f"密码均为 {DEMO_PASSWORD}；也可用短信验证码登录，验证码打印在本终端。"
        "标有密钥的工作人员账号登录需要两步验证：把密钥加入身份验证器，输入它显示的动态验证码）："
    )
    return ctx


def _install_second_factors(ctx: DemoContext) -> None:
    """The demo staff whose role needs a second factor get an authenticator with a known key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nuanxin.accounts.models import User
    from nuanxin.accounts.second_factor import second_factor_required, totp_device_install

    for _role, _name, phone in ctx.credentials:
        user = User.objects.get(phone=phone)
        if not second_factor_required(user):
            continue
        key = demo_totp_key(phone)
        if not TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
            totp_device_install(user=user, key_hex=key)
        ctx.totp_secrets[phone] = demo_totp_secret(phone)
