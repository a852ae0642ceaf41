"""贷款损失准备 (loan-loss provisioning, issue 24 (12)): what a loan book's five categories
(五级分类, R-REP-3) require to be set aside, at rates a county's rules set.

At each month end the nightly batch sets each village's provision (account 1304, a deduction
from the loans) to what its active loans require, posting only the change
(:func:`fupin.core.postings.provision_postings`): up, Dr 6702 资产减值损失 / Cr 1304; down
(loans repaid, cured or written off), the reverse. The requirement of a village is, class by class,
the principal its loans still owe times the class's rate, each product rounded once, half up.

Worked example, at the preset rates (1 % / 2 % / 25 % / 50 % / 100 %): a village whose loans owe
100 000.00 normal, 20 000.00 special-mention, 8 000.00 substandard and 3 000.00 loss requires
1 000.00 + 400.00 + 2 000.00 + 3 000.00 = 6 400.00; with 5 000.00 set aside last month the batch
posts 1 400.00.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from fupin.core.cob import half_up

CLASSES = ("normal", "special", "substandard", "doubtful", "loss")  # mildest first
PRESET: dict[str, Fraction] = {
    "normal": Fraction(1, 100),
    "special": Fraction(2, 100),
    "substandard": Fraction(25, 100),
    "doubtful": Fraction(50, 100),
    "loss": Fraction(1),
}


def rates_of(stored: Mapping[str, object]) -> dict[str, Fraction]:
    """Rates as a county's rules store them (``{"normal": "0.01", …}``), checked: every class, each
    from 0 to 1, none below a milder class's. ValueError otherwise."""
    if set(stored) != set(CLASSES):
        raise ValueError("every class needs a rate")
    rates = {}
    for c in CLASSES:
        value = stored[c]
        if isinstance(value, (bool, float)):
            raise ValueError(c)
        rates[c] = Fraction(str(value))
    steps = [rates[c] for c in CLASSES]
    if not (0 <= steps[0] and steps[-1] <= 1 and all(a <= b for a, b in zip(steps, steps[1:], strict=False))):
        raise ValueError("rates from 0 to 1, rising with the class")
    return rates


def required(outstanding: Mapping[str, int], rates: Mapping[str, Fraction] = PRESET) -> int:
    """What loans owing ``outstanding`` principal (fen, by class) require set aside (see the module)."""
    return sum(half_up(outstanding.get(c, 0) * rate.numerator, rate.denominator) for c, rate in rates.items())
