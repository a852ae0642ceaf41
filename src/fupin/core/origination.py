"""Loan origination rules (DOMAIN §5): the application check, the review chain, approval
authority by amount with maker-checker, township quotas and the public notice.

* :func:`application_problems` — every reason an application cannot go forward (R-APP-1):
  the eligibility failures (§2), the credit line (§3) and the product's bounds, all at once.
* :data:`CHAIN` and :func:`advance` — the review chain of R-APP-2 as a state machine: no
  step can be skipped, a rejection ends the application.
* :func:`approver_role` — which role decides an amount (R-APP-3); the preparer of a decision
  never approves it (:func:`maker_checker_problem`).
* :func:`quota_problems` — R-APP-4: the township's amount and household quota, the
  separate lead-household quota capped at 25 % of the township's, the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from fupin.core.errors import Conflict, Problem
from fupin.core.money import fmt
from fupin.core.products import Preset

# R-APP-1: the fixed list of purposes (productive uses only)
PURPOSES: dict[str, str] = {
    "crops": "种植业",
    "livestock": "养殖业",
    "processing": "农产品加工",
    "transport": "运输",
    "small_business": "小商店、摊点等个体经营",
    "tourism": "乡村旅游",
    "ecommerce": "农村电商",
    "pv": "光伏发电",
    "lead_equity": "入股带动主体",
}

# R-APP-2: state → (action that moves it on, next state, role that takes the step)
CHAIN: dict[str, tuple[str, str, str]] = {
    "submitted": ("village_review", "village_reviewed", "village_cadre"),  # with the bank: joint review
    "village_reviewed": ("township_review", "township_reviewed", "township_cadre"),
    "township_reviewed": ("notice", "in_notice", "village_cadre"),  # posted on the village board
    "in_notice": (
        "county_approve",
        "county_approved",
        "poverty_office",
    ),  # after the notice, no open objection
    "county_approved": ("bank_approve", "approved", "bank"),  # by the authority for the amount (R-APP-3)
    "approved": ("contract", "contracted", "loan_officer"),
    "contracted": ("disburse", "disbursed", "loan_officer"),
}
STATES: dict[str, str] = {
    "submitted": "已申请，待村、银行联合审查",
    "village_reviewed": "村级已审查，待乡镇审核",
    "township_reviewed": "乡镇已审核，待公示",
    "in_notice": "公示中",
    "county_approved": "县扶贫办已审批，待银行审批",
    "approved": "银行已审批，待签合同",
    "contracted": "已签合同，待放款",
    "disbursed": "已放款",
    "rejected": "已否决",
}
STEP_LABELS: dict[str, str] = {
    "village_review": "村委会与银行联合审查",
    "township_review": "乡镇审核",
    "notice": "村务公开栏公示",
    "county_approve": "县扶贫办审批名单",
    "bank_approve": "银行审批",
    "contract": "签订合同",
    "disburse": "放款",
    "reject": "否决",
}


def advance(state: str, action: str) -> str:
    """The state after ``action``; a step out of order (skipped or repeated) is refused."""
    if state == "rejected" or state == "disbursed":
        raise Conflict(
            f"申请已{STATES[state]}，不能再{STEP_LABELS.get(action, action)}", code="application_closed"
        )
    if action == "reject":
        return "rejected"
    expected = CHAIN.get(state)
    if expected is None or expected[0] != action:
        want = STEP_LABELS[expected[0]] if expected else "—"
        raise Conflict(
            f"当前状态为“{STATES.get(state, state)}”，下一步应为“{want}”，不能跳过或重复步骤",
            code="step_out_of_order",
        )
    return expected[1]


def application_problems(
    *,
    amount: int,
    term: int,
    preset: Preset,
    credit_line: int,
    eligibility: Sequence[tuple[str, str]],
    purpose: str,
    project: str,
) -> list[Problem]:
    """Every reason an application fails (R-APP-1, R-ELG-4): eligibility failures as
    (rule, message), the credit line, the product's amount and term bounds, the purpose."""
    out = [Problem(message, rule=rule) for rule, message in eligibility]
    if purpose not in PURPOSES:
        out.append(
            Problem(
                f"贷款用途应从清单中选择：{'、'.join(PURPOSES.values())}", field="purpose", rule="R-APP-1"
            )
        )
    if len(project.strip()) < 4:
        out.append(Problem("请填写项目说明（至少 4 个字）", field="project", rule="R-APP-1"))
    if amount > credit_line:
        out.append(
            Problem(
                f"申请金额 {fmt(amount)} 元超过授信额度 {fmt(credit_line)} 元", field="amount", rule="R-RAT-2"
            )
        )
    b = preset.bounds
    if amount < b.min_amount or (b.max_amount is not None and amount > b.max_amount):
        top = "不限" if b.max_amount is None else f"{fmt(b.max_amount)} 元"
        out.append(
            Problem(
                f"申请金额应在 {fmt(b.min_amount)} 元至 {top} 之间（{preset.name}）",
                field="amount",
                rule="R-PRD-5",
            )
        )
    if b.allowed_terms and term not in b.allowed_terms:
        out.append(
            Problem(
                f"期限只能是 {'、'.join(map(str, b.allowed_terms))} 个月（{preset.name}）",
                field="term",
                rule="R-PRD-5",
            )
        )
    elif not b.min_term <= term <= b.max_term:
        out.append(
            Problem(f"期限应为 {b.min_term}–{b.max_term} 个月（{preset.name}）", field="term", rule="R-PRD-5")
        )
    return out


@dataclass(frozen=True)
class Band:
    """Amounts from ``low`` (inclusive) to ``high`` (exclusive; None = no ceiling), in fen,
    decided by ``role``."""

    low: int
    high: int | None
    role: str


# R-APP-3 preset (篇1): < 30 000 the loan officer, 30 000–40 000 the branch director, 40 000–50 000
# and above the head-office director
BANDS: tuple[Band, ...] = (
    Band(0, 3_000_000, "loan_officer"),
    Band(3_000_000, 4_000_000, "branch_director"),
    Band(4_000_000, None, "head_office"),
)


def approver_role(amount: int, bands: Sequence[Band] = BANDS) -> str:
    """The role whose authority covers ``amount``. Worked example: 35 000.00 yuan
    (3 500 000 fen) → branch_director."""
    for b in bands:
        if b.low <= amount and (b.high is None or amount < b.high):
            return b.role
    raise Conflict(f"没有覆盖 {fmt(amount)} 元的审批权限", code="no_authority")


# the bank's ladder of authority (R-APP-3), lowest first: a higher authority may decide lower bands
LADDER = ("loan_officer", "branch_director", "head_office")


def deciders(amount: int, bands: Sequence[Band] = BANDS, *, floor: str = "loan_officer") -> tuple[str, ...]:
    """The roles that may decide ``amount``: its band's role and those above it, never below
    ``floor`` (a change to a loan — extension, rollover, write-off — is asked for by the loan
    officer and decided by a director at least). Worked examples: 45 000.00 yuan → head_office
    alone; 12 000.00 with the floor at branch_director → branch_director or head_office."""
    return LADDER[max(LADDER.index(approver_role(amount, bands)), LADDER.index(floor)) :]


def maker_checker_problem(preparer_id: int | None, approver_id: int) -> str | None:
    """Whoever prepares a decision can never approve it (R-APP-3, DOMAIN §14)."""
    if preparer_id is not None and preparer_id == approver_id:
        return "经办人不能审批自己经办的业务（审贷分离）"
    return None


@dataclass(frozen=True)
class Quota:
    amount: int | None  # fen; None: no ceiling (篇3 上不封顶)
    households: int | None
    lead_share_cap: tuple[int, int] = (1, 4)  # lead loans ≤ 25 % of the township's quota (篇3)
    deadline: dt.date | None = None  # disbursement by this date (篇3: 30 June)
    lead_amount: int | None = None  # a separate lead-household quota (fen), within the 25 % cap

    def lead_cap(self) -> int | None:
        """The lead-household quota in force: the separate one if set, never above 25 %."""
        if self.amount is None:
            return self.lead_amount
        num, den = self.lead_share_cap
        share = self.amount * num // den
        return share if self.lead_amount is None else min(self.lead_amount, share)


def quota_problems(
    q: Quota,
    *,
    used_amount: int,
    used_households: int,
    used_lead: int,
    amount: int,
    lead: bool,
    new_household: bool,
    on: dt.date,
) -> list[str]:
    """Why a loan of ``amount`` does not fit the township's quota (R-APP-4); empty if it does.
    Worked example: quota 1 000 000.00, 980 000.00 used, a 30 000.00 loan → over by 10 000.00."""
    out = []
    if q.deadline is not None and on > q.deadline:
        out.append(f"已过本年度放款截止日期 {q.deadline:%Y-%m-%d}")
    if q.amount is not None and used_amount + amount > q.amount:
        out.append(
            f"超出乡镇额度：额度 {fmt(q.amount)} 元，已用 {fmt(used_amount)} 元，本笔 {fmt(amount)} 元"
        )
    if q.households is not None and new_household and used_households + 1 > q.households:
        out.append(f"超出乡镇户数指标 {q.households} 户")
    cap = q.lead_cap()
    if lead and cap is not None and used_lead + amount > cap:
        num, den = q.lead_share_cap
        out.append(
            f"超出带动主体贷款额度 {fmt(cap)} 元（不超过乡镇额度的 {num * 100 // den}%），"
            f"已用 {fmt(used_lead)} 元"
        )
    return out


def notice_end(start: dt.date, days: int = 7) -> dt.date:
    """The last day of a public notice of ``days`` days starting on ``start`` (篇2: 7 days):
    approval is possible from the day after. Worked example: 2026-11-02 + 7 days → ends 11-08."""
    return start + dt.timedelta(days=days - 1)


@dataclass(frozen=True)
class GroupRules:
    """R-GRP-1: five households by default; a programme may set any size from 3 to 10. P-GROUP
    (篇1: "小组可贷款最高上限为50000元", raised from 2 000 and 10 000 over the years): what the
    group's members may owe on group loans together, in fen; None for no ceiling."""

    min_size: int = 5
    max_size: int = 5
    ceiling: int | None = 5_000_000


def group_ceiling_problem(rules: GroupRules, name: str, committed: int, amount: int) -> str | None:
    """Why ``amount`` more would take a group past its ceiling, with ``committed`` already lent
    or on the way. Worked example: 40 000.00 committed + 12 000.00 > 50 000.00 → refused."""
    if rules.ceiling is None or committed + amount <= rules.ceiling:
        return None
    return (
        f"联保小组“{name}”已贷及在办 {fmt(committed)} 元，再贷 {fmt(amount)} 元将超过小组上限 "
        f"{fmt(rules.ceiling)} 元（本县项目规则）"
    )


def group_problems(
    *,
    village: str,
    leader: int,
    members: Sequence[tuple[int, str, Sequence[str]]],
    rules: GroupRules = GroupRules(),
) -> list[str]:
    """Why a joint-liability group cannot be formed (R-GRP-1), every reason: its size, a member
    in another village, a member who is not eligible (with the reasons), a leader who is not
    a member, a household listed twice. ``members``: (household id, village code, failures)."""
    out = []
    ids = [m[0] for m in members]
    if not rules.min_size <= len(set(ids)) <= rules.max_size:
        size = (
            f"{rules.min_size}" if rules.min_size == rules.max_size else f"{rules.min_size}–{rules.max_size}"
        )
        out.append(f"联保小组应有 {size} 户，现有 {len(set(ids))} 户")
    if len(set(ids)) != len(ids):
        out.append("同一农户不能在小组中出现两次")
    if leader not in ids:
        out.append("小组长必须是小组成员")
    for hid, code, failures in members:
        if code != village:
            out.append(f"农户 {hid} 不在本村，联保小组成员必须同村")
        if failures:
            out.append(f"农户 {hid} 不符合准入条件：{'；'.join(failures)}")
    return out


def concentration(uses: Sequence[tuple[int, int]], *, top: int = 2) -> Fraction:
    """The share of a group's money used by its ``top`` largest users (R-GRP-2): (household,
    amount) pairs. Worked example: 5 members lent 10 000 each, the leader used 40 000 and one
    member 10 000 → the top two used 50 000 of 50 000 = 1."""
    by: dict[int, int] = {}
    for h, amount in uses:
        by[h] = by.get(h, 0) + amount
    total = sum(by.values())
    if not total:
        return Fraction(0)
    return Fraction(sum(sorted(by.values(), reverse=True)[:top]), total)


def lead_problems(*, amount: int, per_household: int, driven: int, ceiling: int) -> list[str]:
    """P-LEAD, R-GRP-3: the amount may not exceed the allowance per driven household × the
    households under signed agreements, capped. Worked example (篇3): 5 000 × 12 = 60 000,
    capped at 50 000."""
    limit = min(per_household * driven, ceiling)
    if driven == 0:
        return ["带动贷款须先与被带动贫困户签订带动协议（附表6）"]
    if amount > limit:
        return [
            f"带动 {driven} 户 × {fmt(per_household)} 元，上限 {fmt(ceiling)} 元：最多可贷 {fmt(limit)} 元，"
            f"申请 {fmt(amount)} 元超出"
        ]
    return []


# --- guarantors (保证人, P-SEASONAL's "1+1", issue 24 (11)) ---------------------------------------

GUARANTOR_KINDS: dict[str, str] = {
    "member": "其他农户的家庭成员",
    "shop_owner": "个体工商户",
    "civil_servant": "公职人员",
    "other": "其他",
}
GUARANTOR_AGES = (18, 65)


@dataclass(frozen=True)
class GuarantorFacts:
    """What is known of a proposed guarantor on ``today``: their age (from the ID number), whether
    they belong to the borrower's own household, the loans of their own household (if registered)
    in default or written off, a defaulter record (R-RSK-4), the loans they already guarantee, and
    the day they signed their consent (None: not yet)."""

    kind: str
    age: int
    borrowers_household: bool
    bad_loans: int
    defaulter: bool
    guaranteeing: int
    consent_on: dt.date | None
    today: dt.date


def guarantor_problems(f: GuarantorFacts, limit: int) -> list[str]:
    """Every reason the person cannot guarantee a loan (empty: they can). Worked example: a
    70-year-old already guaranteeing 2 loans with a limit of 2 → two reasons."""
    problems = []
    if f.kind not in GUARANTOR_KINDS:
        problems.append(f"保证人类型只能是：{'、'.join(GUARANTOR_KINDS.values())}")
    if not GUARANTOR_AGES[0] <= f.age <= GUARANTOR_AGES[1]:
        problems.append(
            f"保证人须年满 {GUARANTOR_AGES[0]} 周岁且不超过 {GUARANTOR_AGES[1]} 周岁（现 {f.age} 周岁）"
        )
    if f.borrowers_household:
        problems.append("保证人不能是借款户本户的家庭成员")
    if f.bad_loans:
        problems.append(f"保证人所在农户有 {f.bad_loans} 笔违约或已核销的贷款")
    if f.defaulter:
        problems.append("保证人所在农户被列为失信（恶意逃废债）户")
    if f.guaranteeing >= limit:
        problems.append(f"该保证人已为 {f.guaranteeing} 笔贷款提供担保，达到上限 {limit} 笔")
    if f.consent_on is None:
        problems.append("须登记保证人签署担保承诺书的日期")
    elif f.consent_on > f.today:
        problems.append("担保承诺书的签署日期不能晚于今天")
    return problems
