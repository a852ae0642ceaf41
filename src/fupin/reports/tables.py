"""The official tables (R-RPT-1) for a division and a period, computed with one grouped query per
figure (by village) and rolled up to the rows: the division's townships (a county), its villages
(a township) or the village itself.

Money figures come from the ledger where the ledger has them — the balance of 1301 at the
period's end, principal and interest collected — so that a table's totals are the books'
(tests/reports reconcile them). Overdue figures and classes are as of the last closed business
day (the nightly batch keeps them), stated in the table's notes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, Sum, When

from fupin.cob.day import closed_through
from fupin.core import reports as core
from fupin.core.errors import ValidationFailed
from fupin.core.feeds import product_code
from fupin.core.money import fmt
from fupin.core.origination import PURPOSES
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import names as division_names
from fupin.feeds import selectors as feed_selectors
from fupin.households.models import REGISTERED, Household, Person
from fupin.ledger.models import Posting
from fupin.ledger.selectors import books_open_on
from fupin.loans.models import Installment, Loan, LoanEvent, Repayment, Servicing
from fupin.loans.selectors import regulator_flag, township_targets
from fupin.ratings.models import CreditLine
from fupin.riskfund.models import Blacklist, Claim
from fupin.riskfund.services import fund_balance
from fupin.subsidies.models import Line

TABLES = {
    "fu2": "附表2 扶贫小额贷款发放情况明细表",
    "fu3": "附表3 扶贫小额贷款管理月报表",
    "fu4": "附表4 贴息情况季度报表",
    "fu8": "附表8 扶贫小额贷款发放、回收及贴息情况一览表",
}


@dataclass
class Column:
    key: str
    header: str
    kind: str = "int"  # text | int | money (fen) | pct (a string, already a percentage) | date


@dataclass
class Table:
    code: str
    title: str
    division: Division
    period: core.Period
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    notes: list[str] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(
        default_factory=list
    )  # header bands over the columns: (label, span)
    ledger: str = ""  # an export's fingerprint of the journal entries (issue 28 (4)): exports.ledger_line

    def as_json(self) -> dict:
        return {
            "table": self.code,
            "title": self.title,
            "division": self.division.code,
            "division_name": self.division.name,
            "period": self.period.label,
            "columns": [{"key": c.key, "header": c.header, "kind": c.kind} for c in self.columns],
            "rows": [_plain(r, self.columns) for r in self.rows],
            "total": _plain(self.total, self.columns) if self.total else None,
            "notes": self.notes,
        }


def _plain(row: dict, columns: list[Column]) -> dict:
    out = {}
    for c in columns:
        v = row.get(c.key)
        out[c.key] = (
            fmt(v)
            if c.kind == "money" and isinstance(v, int)
            else v.isoformat()
            if isinstance(v, dt.date)
            else v
        )
    return out


# --- rows: the division's children, each a code prefix of one length ---------------------------


def children(division: Division) -> list[Division]:
    kids = list(Division.objects.filter(parent=division).order_by("code"))
    return kids or [division]


def _by(institution: int | None, path: str) -> Q:
    """The rows of one lending institution's (``path`` names its key; issue 25), or all (None)."""
    return Q() if institution is None else Q(**{path: institution})


def _rollup(kids: list[Division], per_village: dict[str, int | float]) -> dict[str, int]:
    """Sum a {village_code: value} map into {child code: value}."""
    n = len(kids[0].prefix)
    by_prefix = {k.prefix: k.code for k in kids}
    out: dict[str, int] = defaultdict(int)
    for village, v in per_village.items():
        code = by_prefix.get(village[:n])
        if code is not None:
            out[code] += v or 0
    return out


def _grouped(qs, field_name: str, **aggregates) -> dict[str, dict]:
    return {r[field_name]: r for r in qs.values(field_name).annotate(**aggregates)}


def _plus(*parts: dict[str, int]) -> dict[str, int]:
    """Figures by village added up."""
    out: dict[str, int] = defaultdict(int)
    for part in parts:
        for k, v in part.items():
            out[k] += v or 0
    return dict(out)


def _column(rows: dict[str, dict], key: str) -> dict[str, int]:
    return {k: (v[key] or 0) for k, v in rows.items()}


# --- 附表3 ---------------------------------------------------------------------------------------


def fu3(
    division: Division, period: core.Period, *, closed: dt.date | None = None, institution: int | None = None
) -> Table:
    """附表3 扶贫小额贷款管理月报表 (R-RPT-1): see the column headers. Of one lending institution's
    loans, books and fund if given (the registry's and the ratings' columns are the county's)."""

    p, end, start = division.prefix, period.end, period.start
    closed = closed or closed_through() or end
    kids = children(division)
    figures: dict[str, dict[str, int]] = {}

    def put(name: str, per_village: dict[str, int]) -> None:
        figures[name] = _rollup(kids, per_village)

    put(
        "registered",
        {
            r["village_id"]: r["n"]
            for r in Household.objects.filter(village__code__startswith=p, status__in=REGISTERED)
            .values("village_id")
            .annotate(n=Count("pk"))
        },
    )
    lines = _grouped(
        CreditLine.objects.filter(village_code__startswith=p),
        "village_code",
        rated=Count("pk"),
        granted=Count("pk", filter=Q(amount__gt=0)),
        credit=Sum("amount"),
    )
    put("rated", _column(lines, "rated"))
    put("granted", _column(lines, "granted"))
    put("credit", {k: int((v["credit"] or 0) * 100) for k, v in lines.items()})
    lent = Loan.objects.filter(_by(institution, "institution"), village_code__startswith=p).exclude(
        state=Loan.State.CONTRACTED
    )
    # the loans of the banks that keep their own core system, as their files state them at the
    # period's last month-end (issue 25 (3)): counted with the loans booked here
    banks = feed_selectors.month_loans(p, end, institution)
    new = lent.filter(start__range=(start, end))
    month = _grouped(
        new, "village_code", n=Count("pk"), hh=Count("household", distinct=True), amount=Sum("principal")
    )
    fed = _grouped(
        banks.filter(start__range=(start, end)),
        "village_code",
        n=Count("pk"),
        amount=Sum("amount"),
        hh=Count("household", distinct=True, filter=~Q(household__in=new.values("household"))),
    )
    put("loans", _plus(_column(month, "n"), _column(fed, "n")))
    put("loan_households", _plus(_column(month, "hh"), _column(fed, "hh")))
    put("lent", _plus(_column(month, "amount"), _column(fed, "amount")))
    year = (period.year_start, end)
    put(
        "ytd",
        _plus(
            _column(
                _grouped(lent.filter(start__range=year), "village_code", amount=Sum("principal")), "amount"
            ),
            _column(
                _grouped(banks.filter(start__range=year), "village_code", amount=Sum("amount")), "amount"
            ),
        ),
    )
    targets = township_targets(end.year, p[:9] if len(p) >= 9 else p, institution)
    if len(kids[0].prefix) <= 9:  # townships (or the county): their quotas
        figures["target"] = {
            k.code: sum(v for t, v in targets.items() if t.startswith(k.prefix)) for k in kids
        }
    owing = banks.filter(balance__gt=0).exclude(status="written_off")
    held = _grouped(owing, "village_code", b=Sum("balance"))
    put("balance", _plus(ledger_balance(p, "1301", end, institution=institution), _column(held, "b")))
    alive = lent.filter(start__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    also = _grouped(  # a household owing a bank too is one household
        owing.exclude(household__in=alive.values("household")),
        "village_code",
        hh=Count("household", distinct=True),
    )
    put(
        "balance_households",
        _plus(
            _column(_grouped(alive, "village_code", hh=Count("household", distinct=True)), "hh"),
            _column(also, "hh"),
        ),
    )
    due = Installment.objects.filter(  # a loan paid off before a due date owes nothing on it then
        Q(loan__closed_on__isnull=True) | Q(loan__closed_on__gte=F("due_date")),
        _by(institution, "loan__institution"),
        loan__village_code__startswith=p,
        due_date__range=(start, end),
    )
    put("due", _column(_grouped(due, "loan__village_code", d=Sum(F("principal") + F("interest"))), "d"))
    got = Repayment.objects.filter(
        _by(institution, "loan__institution"), village_code__startswith=p, received_on__range=(start, end)
    )
    put(
        "collected",
        _plus(
            {
                k: (v["a"] or 0) - (v["o"] or 0)
                for k, v in _grouped(got, "village_code", a=Sum("amount"), o=Sum("overpayment")).items()
            },
            feed_selectors.repaid(p, start, end, institution),
        ),
    )
    events = LoanEvent.objects.filter(
        _by(institution, "loan__institution"),
        village_code__startswith=p,
        state=LoanEvent.State.APPROVED,
        decided_on__range=(start, end),
        kind__in=[LoanEvent.Kind.EXTENSION, LoanEvent.Kind.ROLLOVER],
    )
    ev = _grouped(events, "village_code", n=Count("pk"), amount=Sum("amount"))
    put("renewals", _column(ev, "n"))
    put("renewal_amount", _column(ev, "amount"))
    late = defaultdict(list, arrears(p, closed, institution))
    for x in owing.filter(Q(overdue_principal__gt=0) | Q(overdue_interest__gt=0)).values(
        "village_code", "household_id", "days_overdue", "overdue_principal", "balance"
    ):  # a bank's loan in arrears, as at the month-end its file states
        late[x["village_code"]].append(
            {
                "loan": None,
                "household": x["household_id"],
                "dpd": x["days_overdue"],
                "bucket": core.dpd_bucket(x["days_overdue"]),
                "overdue": x["overdue_principal"],
                "outstanding": x["balance"],
            }
        )
    for label, _, _ in core.DPD_BUCKETS:
        put(
            f"late_{label}",
            {v: sum(x["outstanding"] for x in rows if x["bucket"] == label) for v, rows in late.items()},
        )
    put("late_households", {v: len({x["household"] for x in rows}) for v, rows in late.items()})
    put("late_amount", {v: sum(x["outstanding"] for x in rows) for v, rows in late.items()})
    put("npl", {v: sum(x["outstanding"] for x in rows if x["dpd"] > 90) for v, rows in late.items()})
    put(  # a credit balance
        "provision", {v: -b for v, b in ledger_balance(p, "1304", end, institution=institution).items()}
    )
    subs = Line.objects.filter(
        _by(institution, "institution"), village_code__startswith=p, amount__gt=0, struck=""
    )
    put(
        "subsidy",
        _column(_grouped(subs.filter(on__range=(start, end)), "village_code", s=Sum("amount")), "s"),
    )
    put("subsidy_total", _column(_grouped(subs.filter(on__lte=end), "village_code", s=Sum("amount")), "s"))
    drawn: dict[str, int] = defaultdict(int)
    for c in Claim.objects.filter(
        _by(institution, "institution"),
        village_code__startswith=p,
        state=Claim.State.PAID,
        paid_on__range=(start, end),
    ):
        drawn[c.village_code] += sum(f for _, k, _, f in c.shares if k == "fund")
    put("fund_drawn", drawn)
    lost: dict[str, set[int]] = defaultdict(set)
    for hh, village in (
        Blacklist.objects.filter(village_code__startswith=p, decided_on__lte=end)
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=end))
        .values_list("household_id", "village_code")
    ):
        lost[village].add(hh)
    for hh, village in CreditLine.objects.filter(
        village_code__startswith=p, subsidy_barred_from__lte=end.year
    ).values_list("household_id", "village_code"):
        lost[village].add(hh)
    put("lost_subsidy", {v: len(s) for v, s in lost.items()})

    rows = []
    for k in kids:
        row = {
            "name": k.name,
            "code": k.code,
            **{name: vals.get(k.code, 0) for name, vals in figures.items()},
        }
        if "target" not in figures:
            row["target"] = None
        rows.append(_fu3_rates(row))
    total = {"name": "合计", "code": division.code}
    for name in figures:
        total[name] = sum(r[name] or 0 for r in rows)
    total.setdefault("target", None)
    fund = _fund_position(division, start, end, institution)
    total.update(fund)
    _fu3_rates(total)
    columns = [
        Column("name", "单位", "text"),
        Column("registered", "建档立卡户数"),
        Column("rated", "评级户数"),
        Column("granted", "授信户数"),
        Column("credit", "授信总额（元）", "money"),
        Column("loans", "本月放款笔数"),
        Column("loan_households", "本月放款户数"),
        Column("lent", "本月放款金额（元）", "money"),
        Column("ytd", "本年累计放款（元）", "money"),
        Column("target", "年度目标（元）", "money"),
        Column("done", "完成进度（%）", "pct"),
        Column("balance_households", "贷款余额户数"),
        Column("balance", "贷款余额（元）", "money"),
        Column("coverage", "获贷率（%）", "pct"),
        Column("due", "本月到期（元）", "money"),
        Column("collected", "本月收回（元）", "money"),
        Column("renewals", "展期/转据笔数"),
        Column("renewal_amount", "展期/转据金额（元）", "money"),
        Column("late_households", "逾期户数"),
        Column("late_amount", "逾期贷款余额（元）", "money"),
        Column("late_rate", "逾期率（%）", "pct"),
    ]
    columns += [Column(f"late_{label}", f"逾期{label}（元）", "money") for label, _, _ in core.DPD_BUCKETS]
    columns += [
        Column("npl", "不良贷款（次级、可疑、损失，元）", "money"),
        Column("npl_rate", "不良率（%）", "pct"),
        Column("provision", "贷款损失准备（元）", "money"),
        Column("subsidy", "本月贴息（元）", "money"),
        Column("subsidy_total", "累计贴息（元）", "money"),
        Column("fund_opening", "风险补偿金期初（元）", "money"),
        Column("fund_drawn", "本期代偿（元）", "money"),
        Column("fund_balance", "风险补偿金余额（元）", "money"),
        Column("lost_subsidy", "取消贴息户数"),
    ]
    return Table(
        "fu3",
        TABLES["fu3"],
        division,
        period,
        columns,
        rows,
        total,
        notes=[
            f"逾期与不良为截至 {closed:%Y-%m-%d} 日终的数据；贷款余额取自总账 1301 科目 {end:%Y-%m-%d} "
            "余额，贷款损失准备取自 1304 科目同日余额（每月末按五级分类计提）。",
            "获贷率 = 贷款余额户数 ÷ 建档立卡户数；逾期率 = 逾期贷款余额（有本息逾期的贷款的全部余额，"
            "按逾期天数分段）÷ 贷款余额；风险补偿金期初、余额为全县数。",
            "在自己核心系统中办理贷款的银行，其放款、余额、收回和逾期按该行报送的月末借据与本期还款数据计入"
            "（借款人须在贫困户档案中）。",
        ],
    )


def _fu3_rates(row: dict) -> dict:
    row["done"] = core.percent(row["ytd"], row["target"]) if row.get("target") else None
    row["coverage"] = core.percent(row["balance_households"], row["registered"])
    row["late_rate"] = core.percent(row["late_amount"], row["balance"])
    row["npl_rate"] = core.percent(row["npl"], row["balance"])
    return row


def _fund_position(division: Division, start: dt.date, end: dt.date, institution: int | None = None) -> dict:
    """The county's funds' balance (of those under agreements with ``institution`` if given) before
    the period and at its end — on the total row."""

    return {
        "fund_opening": fund_balance(division.code, start - dt.timedelta(days=1), institution=institution)[
            "balance"
        ],
        "fund_balance": fund_balance(division.code, end, institution=institution)["balance"],
    }


def ledger_balance(
    prefix: str,
    account: str,
    on: dt.date,
    *,
    by: str = "entry__division_code",
    institution: int | None = None,
) -> dict:
    """The debit balance of ``account`` at the close of ``on``, by village (or by loan), in every
    lender's books or in one institution's."""
    qs = Posting.objects.filter(
        _by(institution, "entry__institution"),
        account_id=account,
        entry__book="bank",
        entry__date__lte=on,
        entry__division_code__startswith=prefix,
    )
    return {
        r[by]: (r["d"] or 0) - (r["c"] or 0) for r in qs.values(by).annotate(d=Sum("debit"), c=Sum("credit"))
    }


def arrears(prefix: str, closed: dt.date, institution: int | None = None) -> dict[str, list[dict]]:
    """Loans in arrears after the close of ``closed`` (one institution's if given), by village:
    days past due, bucket, the overdue principal and the principal outstanding."""
    late = {
        sv["loan_id"]: sv
        for sv in Servicing.objects.filter(
            _by(institution, "institution"),
            village_code__startswith=prefix,
            active=True,
            late_since__isnull=False,
            late_since__lt=closed,
        ).values("loan_id", "village_code", "late_since", "loan__household_id")
    }
    if not late:
        return {}
    sums = (
        # joined, not a list of ids: a county can have a hundred thousand late loans
        Installment.objects.filter(
            _by(institution, "loan__institution"),
            loan__servicing__active=True,
            loan__servicing__late_since__lt=closed,
            loan__village_code__startswith=prefix,
        )
        .values("loan_id")
        .annotate(
            out=Sum(F("principal") - F("principal_paid")),
            overdue=Sum(F("principal") - F("principal_paid"), filter=Q(due_date__lte=closed)),
        )
    )
    out: dict[str, list[dict]] = defaultdict(list)
    for s in sums:
        sv = late.get(s["loan_id"])
        if sv is None:
            continue
        dpd = (closed - sv["late_since"]).days
        out[sv["village_code"]].append(
            {
                "loan": s["loan_id"],
                "household": sv["loan__household_id"],
                "dpd": dpd,
                "bucket": core.dpd_bucket(dpd),
                "overdue": s["overdue"] or 0,
                "outstanding": s["out"] or 0,
            }
        )
    return out


# --- 附表2 ---------------------------------------------------------------------------------------


def fu2(division: Division, period: core.Period, *, institution: int | None = None) -> Table:
    """附表2 扶贫小额贷款发放情况明细表: every loan paid out in the period, with the regulator's
    flag (R-RPT-1a). ID numbers are shown masked (R-REG-5)."""
    loans = list(
        Loan.objects.filter(
            _by(institution, "institution"),
            village_code__startswith=division.prefix,
            start__range=(period.start, period.end),
        )
        .exclude(state=Loan.State.CONTRACTED)
        .select_related("household", "application", "institution")
        .order_by("start", "pk")
    )
    heads = _heads(ln.household_id for ln in loans)
    names = _names({ln.village_code for ln in loans})
    rows = []
    for n, ln in enumerate(loans, 1):
        head = heads.get(ln.household_id)
        rows.append(
            {
                "n": n,
                "township": names.get(ln.village_code[:9] + "000", ""),
                "village": names.get(ln.village_code, ""),
                "name": head.name if head else "",
                "id": head.id_masked if head else "",
                "status": ln.household.get_status_display(),
                "lender": ln.institution.name if ln.institution_id else "",
                "contract": ln.contract_no,
                "amount": ln.principal,
                "term": ln.application.term,
                "rate": f"{ln.nominal_rate * 100:.2f}",
                "start": ln.start,
                "maturity": ln.maturity,
                "purpose": PURPOSES.get(ln.application.purpose, ln.application.purpose),
                "regulator": "是" if regulator_flag(ln) else "否",
            }
        )
    rows += _fu2_banks(division, period, institution, start=len(rows))
    columns = [
        Column("n", "序号"),
        Column("township", "乡镇", "text"),
        Column("village", "行政村", "text"),
        Column("name", "户主姓名", "text"),
        Column("id", "身份证号", "text"),
        Column("status", "户类型", "text"),
        Column("lender", "贷款银行", "text"),
        Column("contract", "合同编号", "text"),
        Column("amount", "贷款金额（元）", "money"),
        Column("term", "期限（月）"),
        Column("rate", "年利率（%）", "text"),
        Column("start", "放款日期", "date"),
        Column("maturity", "到期日期", "date"),
        Column("purpose", "贷款用途", "text"),
        Column("regulator", "监管口径扶贫小额贷款", "text"),
    ]
    total = {"n": None, "name": f"合计 {len(rows)} 笔", "amount": sum(r["amount"] for r in rows)}
    return Table(
        "fu2",
        TABLES["fu2"],
        division,
        period,
        columns,
        rows,
        total,
        notes=["监管口径（R-RPT-1a）：建档立卡户、金额不超过 5 万元、期限不超过 3 年、信用或联保。"],
    )


def _fu2_banks(division: Division, period: core.Period, institution: int | None, start: int) -> list[dict]:
    """附表2's rows of the banks that keep their own core system (issue 25 (3)): the loans their
    files for the period's last month list as paid out in the period. The regulator's flag takes
    a loan on credit (the files do not say otherwise) of a registered household."""
    loans = list(
        feed_selectors.month_loans(division.prefix, period.end, institution)
        .filter(start__range=(period.start, period.end))
        .select_related("household", "feed__institution")
        .order_by("start", "contract_no")
    )
    heads = _heads(x.household_id for x in loans)
    names = _names({x.village_code for x in loans})
    rows = []
    for n, x in enumerate(loans, start + 1):
        head = heads.get(x.household_id)
        months = (x.maturity.year - x.start.year) * 12 + x.maturity.month - x.start.month
        status = x.household.status
        rows.append(
            {
                "n": n,
                "township": names.get(x.village_code[:9] + "000", ""),
                "village": names.get(x.village_code, ""),
                "name": head.name if head else x.name,
                "id": head.id_masked if head else x.id_masked,
                "status": x.household.get_status_display(),
                "lender": x.feed.institution.name,
                "contract": x.contract_no,
                "amount": x.amount,
                "term": months,
                "rate": f"{x.rate:.2f}" if x.rate is not None else "",
                "start": x.start,
                "maturity": x.maturity,
                "purpose": PURPOSES.get(x.purpose) or x.product,
                "regulator": "是"
                if core.regulator_flag(
                    registered_poor=status in REGISTERED or status == "lifted",
                    amount=x.amount,
                    term_months=months,
                    product=product_code(x.product),
                )
                else "否",
            }
        )
    return rows


def _heads(households: Iterable[int]) -> dict[int, Person]:
    return {
        p.household_id: p
        for p in Person.objects.filter(household_id__in=set(households), is_head=True, left_on__isnull=True)
    }


def _names(villages: set[str]) -> dict[str, str]:
    codes = villages | {v[:9] + "000" for v in villages}
    return division_names(codes)


# --- 附表8 ---------------------------------------------------------------------------------------


def fu8(division: Division, period: core.Period, *, institution: int | None = None) -> Table:
    """附表8 发放、回收及贴息情况一览表: every loan alive in the period — paid out, principal and
    interest collected in the period and the balance at its end (all from the ledger), subsidy in
    the period and in all."""

    p, start, end = division.prefix, period.start, period.end
    loans = list(
        Loan.objects.filter(_by(institution, "institution"), village_code__startswith=p, start__lte=end)
        .exclude(state=Loan.State.CONTRACTED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related("institution")
        .order_by("village_code", "pk")
    )
    ids = [ln.pk for ln in loans]
    moves = Posting.objects.filter(loan_id__in=ids, entry__book="bank", entry__date__lte=end)
    # the balance at the end: what is unpaid now (nothing once written off), plus what the ledger shows
    # repaid or written off since
    unpaid = dict(
        Installment.objects.filter(loan_id__in=ids)
        .exclude(loan__state=Loan.State.WRITTEN_OFF)
        .values("loan_id")
        .annotate(u=Sum(F("principal") - F("principal_paid")))
        .values_list("loan_id", "u")
    )
    later = dict(
        Posting.objects.filter(loan_id__in=ids, account_id="1301", entry__book="bank", entry__date__gt=end)
        .values("loan_id")
        .annotate(c=Sum("credit") - Sum("debit"))
        .values_list("loan_id", "c")
    )
    bal = {pk: (unpaid.get(pk) or 0) + (later.get(pk) or 0) for pk in ids}
    repaid = Q(entry__source__startswith="loan.repay") | Q(entry__source__startswith="loan.payoff")
    in_period = moves.filter(repaid, entry__date__gte=start)
    principal = dict(
        in_period.filter(account_id="1301")
        .values("loan_id")
        .annotate(c=Sum("credit"))
        .values_list("loan_id", "c")
    )
    interest = {
        r["loan_id"]: (r["c"] or 0) - (r["d"] or 0)
        for r in in_period.filter(account_id__in=["1132", "6011"])
        .values("loan_id")
        .annotate(c=Sum("credit"), d=Sum("debit"))
    }
    subs = Line.objects.filter(loan_id__in=ids, amount__gt=0, struck="", on__lte=end)
    sub_period = dict(
        subs.filter(on__gte=start).values("loan_id").annotate(s=Sum("amount")).values_list("loan_id", "s")
    )
    sub_all = dict(subs.values("loan_id").annotate(s=Sum("amount")).values_list("loan_id", "s"))
    heads = _heads(ln.household_id for ln in loans)
    names = _names({ln.village_code for ln in loans})
    rows = []
    for n, ln in enumerate(loans, 1):
        head = heads.get(ln.household_id)
        rows.append(
            {
                "n": n,
                "village_code": ln.village_code,
                "village": names.get(ln.village_code, ""),
                "name": head.name if head else "",
                "lender": ln.institution.name if ln.institution_id else "",
                "contract": ln.contract_no,
                "start": ln.start,
                "maturity": ln.maturity,
                "amount": ln.principal,
                "lent": ln.principal if start <= ln.start <= end else 0,
                "principal": principal.get(ln.pk) or 0,
                "interest": interest.get(ln.pk) or 0,
                "balance": bal.get(ln.pk, 0),
                "subsidy": sub_period.get(ln.pk, 0),
                "subsidy_total": sub_all.get(ln.pk, 0),
            }
        )
    rows = _fu8_banks(division, period, institution, rows)
    columns = [
        Column("n", "序号"),
        Column("village", "行政村", "text"),
        Column("name", "户主姓名", "text"),
        Column("lender", "贷款银行", "text"),
        Column("contract", "合同编号", "text"),
        Column("start", "放款日期", "date"),
        Column("maturity", "到期日期", "date"),
        Column("amount", "合同金额（元）", "money"),
        Column("lent", "本期发放（元）", "money"),
        Column("principal", "本期收回本金（元）", "money"),
        Column("interest", "本期收回利息（元）", "money"),
        Column("balance", "期末余额（元）", "money"),
        Column("subsidy", "本期贴息（元）", "money"),
        Column("subsidy_total", "累计贴息（元）", "money"),
    ]
    total = {
        "n": None,
        "name": f"合计 {len(rows)} 笔",
        **{c.key: sum(r[c.key] for r in rows) for c in columns if c.kind == "money"},
    }
    return Table(
        "fu8",
        TABLES["fu8"],
        division,
        period,
        columns,
        rows,
        total,
        notes=[
            "本期收回取自总账（还款与提前还款分录）；期末余额 = 现未还本金 + 期末后收回（或核销）的本金；"
            "利息含罚息，不含贴息。",
            "自有核心系统银行的贷款取自其报送的期末月借据和各月还款文件。",
        ],
    )


def _fu8_banks(
    division: Division, period: core.Period, institution: int | None, rows: list[dict]
) -> list[dict]:
    """附表8 with the loans of the banks that keep their own core system (issue 25 (3)): each loan
    their files for the period's last month state, as they state it — the balance at the
    month-end, the principal and the interest (penalty included) their repayment files show in
    the period, and the subsidy of the register — merged with ``rows`` by village."""
    start, end = period.start, period.end
    loans = list(
        feed_selectors.month_loans(division.prefix, end, institution).select_related("feed__institution")
    )
    paid: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for i, no, p, r in feed_selectors.repayments_between(
        division.prefix, start, end, institution
    ).values_list("feed__institution_id", "contract_no", "principal", F("interest") + F("penalty")):
        paid[i, no][0] += p
        paid[i, no][1] += r
    loans = [  # a loan settled (or written off) before the period was not alive in it
        x
        for x in loans
        if x.status not in ("settled", "written_off")
        or (x.feed.institution_id, x.contract_no) in paid
        or start <= x.start
    ]
    key = {(x.feed.institution_id, x.contract_no) for x in loans}
    subs = Line.objects.filter(
        loan__isnull=True, village_code__startswith=division.prefix, amount__gt=0, struck="", on__lte=end
    )
    sub_period: dict[tuple[int, str], int] = defaultdict(int)
    sub_all: dict[tuple[int, str], int] = defaultdict(int)
    for i, no, on, fen in subs.values_list("institution_id", "contract_no", "on", "amount"):
        if (i, no) in key:
            sub_all[i, no] += fen
            if on >= start:
                sub_period[i, no] += fen
    heads = _heads(x.household_id for x in loans)
    names = _names({x.village_code for x in loans})
    for x in loans:
        k = (x.feed.institution_id, x.contract_no)
        head = heads.get(x.household_id)
        rows.append(
            {
                "village_code": x.village_code,
                "village": names.get(x.village_code, ""),
                "name": head.name if head else x.name,
                "lender": x.feed.institution.name,
                "contract": x.contract_no,
                "start": x.start,
                "maturity": x.maturity,
                "amount": x.amount,
                "lent": x.amount if start <= x.start <= end else 0,
                "principal": paid[k][0],
                "interest": paid[k][1],
                "balance": 0 if x.status == "written_off" else x.balance,
                "subsidy": sub_period[k],
                "subsidy_total": sub_all[k],
            }
        )
    rows.sort(key=lambda r: r["village_code"])  # stable: each lender's loans stay in their order
    for n, r in enumerate(rows, 1):
        r["n"] = n
        del r["village_code"]
    return rows


# --- 附表4 ---------------------------------------------------------------------------------------


def fu4(division: Division, period: core.Period, *, institution: int | None = None) -> Table:
    """附表4 贴息情况季度报表: per row and policy — periods subsidised in the quarter, the households,
    the interest they paid and the subsidy; and what was claimed, approved, paid and credited in
    the quarter (by the dates of the batches' steps)."""

    p, start, end = division.prefix, period.start, period.end
    kids = children(division)
    lines = Line.objects.filter(_by(institution, "institution"), village_code__startswith=p, amount__gt=0)
    earned = lines.filter(on__range=(start, end))
    figures: dict[str, dict[str, int]] = {}

    def put(name: str, qs, value) -> None:
        figures[name] = _rollup(
            kids, dict(qs.values("village_code").annotate(v=value).values_list("village_code", "v"))
        )

    put("periods", earned, Count("pk"))
    put("households", earned, Count("household", distinct=True))
    # what the households paid: under S-HALF the county's half was deducted at the repayment
    put("interest", earned, Sum(F("interest") - Case(When(policy__kind="half", then=F("amount")), default=0)))
    put("amount", earned, Sum("amount"))
    put("claimed", lines.filter(batch__prepared_on__range=(start, end)), Sum("amount"))
    put("approved", lines.filter(batch__reviewed_on__range=(start, end), struck=""), Sum("amount"))
    put("paid", lines.filter(batch__paid_on__range=(start, end), struck=""), Sum("amount"))
    put("credited", lines.filter(credited_on__range=(start, end)), Sum("amount"))
    rows = [{"name": k.name, **{n: v.get(k.code, 0) for n, v in figures.items()}} for k in kids]
    total = {"name": "合计", **{n: sum(r[n] for r in rows) for n in figures}}
    columns = [
        Column("name", "单位", "text"),
        Column("periods", "贴息期数"),
        Column("households", "贴息户数"),
        Column("interest", "农户已付利息（元）", "money"),
        Column("amount", "应贴息（元）", "money"),
        Column("claimed", "本季申报（元）", "money"),
        Column("approved", "本季审核通过（元）", "money"),
        Column("paid", "本季财政拨付（元）", "money"),
        Column("credited", "本季入账到户（元）", "money"),
    ]
    return Table(
        "fu4",
        TABLES["fu4"],
        division,
        period,
        columns,
        rows,
        total,
        notes=["按时还款贴息（S-HALF）由银行在还款时直接扣减，财政拨付给银行，不再入账到户。"],
    )


BUILDERS: dict[str, Callable[..., Table]] = {
    "fu2": fu2,
    "fu3": fu3,
    "fu4": fu4,
    "fu8": fu8,
}
# tables of balances at the period's end: they need the books to reach back to it
BALANCES = {"fu3", "fu8"}


def build(
    table: str, division: Division, period: core.Period, institution: Institution | None = None
) -> Table:
    """A table (a code of :data:`BUILDERS`) for a division and period, of every lending institution
    or of one (issue 25: its name in the title). A table of balances for a period that ended before
    the books open says so (it would set the loans' counts of that time beside balances of
    nothing); lists of what happened in a period (附表2, 附表4) are always made."""
    opened = books_open_on()
    if table in BALANCES and opened is not None and period.end < opened:
        raise ValidationFailed(
            f"系统账务自 {opened:%Y-%m-%d} 起（此前的余额未记入本系统），{period.label} 期末早于此日，"
            f"{TABLES[table].split()[0]}没有该期的余额数据；请选择 {opened:%Y-%m} 或以后的报告期",
            code="period_before_books",
            details={"books_open_on": opened.isoformat(), "period": period.label},
        )
    made = BUILDERS[table](division, period, institution=institution.pk if institution else None)
    if institution is not None:
        made.title = f"{made.title}（{institution.name}）"
    return made
