"""Amounts of money: summed per currency as Decimals, converted only with vault.yaml's `rates:`, shown plainly.

Nothing here is a float: an amount is read from its file as written (format/deal.py), a sum is exact,
and a rate is a Decimal too. Several currencies are kept apart unless `rates:` names every one of
them, in which case a sum is in the vault's `currency:`; a rate is never fetched.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vault_tool.format.config import VaultConfig
    from vault_tool.search.deals import DealView

CENT = Decimal("0.01")


def money(amount: Decimal, currency: str = "") -> str:
    """`12,000 EUR`, `12,000.10 EUR`: whole amounts without cents, others to the cent."""
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount.quantize(CENT, ROUND_HALF_EVEN):,}"
    return f"{shown} {currency}".strip()


def exact(amount: Decimal) -> str:
    """An amount as data (JSON, CSV): every digit, never in exponent form."""
    return f"{amount:f}"


@dataclass
class Sums:
    """Amounts summed per currency (in the vault's currency alone once converted)."""

    amounts: dict[str, Decimal] = field(default_factory=dict)

    def add(self, amount: Decimal | None, currency: str) -> None:
        if amount is not None:
            self.amounts[currency] = self.amounts.get(currency, Decimal(0)) + amount

    def shown(self) -> str:
        """`12,000 EUR + 3,000 USD`; `0` when there is nothing."""
        return " + ".join(money(amount, code) for code, amount in sorted(self.amounts.items())) or "0"

    def to_data(self) -> dict[str, str]:
        return {code: exact(amount) for code, amount in sorted(self.amounts.items())}

    def converted(self, config: VaultConfig) -> Sums:
        """In the vault's currency when `rates:` converts every currency here; else as it is."""
        if all(code == config.currency or code in config.rates for code in self.amounts):
            total = sum((amount if code == config.currency else amount * config.rates[code]
                         for code, amount in self.amounts.items()), Decimal(0))
            return Sums({config.currency: total} if self.amounts else {})
        return self


@dataclass
class Totals:
    """How many deals, and their amounts and weighted amounts (amount × win probability)."""

    count: int = 0
    total: Sums = field(default_factory=Sums)
    weighted: Sums = field(default_factory=Sums)

    def add(self, deal: DealView) -> None:
        self.count += 1
        self.total.add(deal.amount, deal.currency)
        self.weighted.add(deal.weighted, deal.currency)

    def converted(self, config: VaultConfig) -> Totals:
        return Totals(self.count, self.total.converted(config), self.weighted.converted(config))

    def to_data(self) -> dict[str, Any]:
        return {"count": self.count, "total": self.total.to_data(), "weighted": self.weighted.to_data()}


def totals(deals: Iterable[DealView], config: VaultConfig) -> Totals:
    """The totals of ``deals``, converted where vault.yaml's rates allow."""
    found = Totals()
    for deal in deals:
        found.add(deal)
    return found.converted(config)
