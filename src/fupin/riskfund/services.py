"""Risk fund writes (DOMAIN §8): funds and their sharing, contributions, claims through village,
township and poverty office to the payout, recoveries returned in shares, the blacklist.

The entries (R-REP-6; 2901 风险补偿金 is the fund's dedicated account held at the bank):

* a contribution: Dr 1011 / Cr 2901;
* a claim's payout writes the loan off (R-RSK-3): Dr 1011 what insurance paid (篇8: first),
  Dr 2901 the fund's share, Dr 1011 the shares other parties (a guarantee company) pay in,
  Dr 6701 the bank's share and the penalty (never compensated) / Cr 1301 principal, Cr 1132
  interest and penalty;
* a recovery afterwards: Dr 1011 / Cr 2901 the fund's share back, Cr 6013 the bank's share,
  Cr 2262 应付风险分担方 what is owed back to the other parties.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.cob.day import open_day
from fupin.core import riskfund as core
from fupin.core.divisions import Level
from fupin.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed, reason_required
from fupin.core.feeds import product_code
from fupin.core.ledger import Posting
from fupin.core.money import fmt
from fupin.divisions.models import Division, Institution
from fupin.divisions.selectors import lenders_of
from fupin.feeds import selectors as feed_selectors
from fupin.ledger.services import entry_post
from fupin.loans.events import loan_write_off
from fupin.loans.models import Installment, Loan, LoanEvent, Servicing
from fupin.loans.ports import Shares
from fupin.loans.standing import lock
from fupin.ratings.models import Exclusion
from fupin.riskfund.models import Blacklist, Claim, Contribution, Fund, LegalAction, Proof, Recovery

MAX_PROOF = 5 * 1024 * 1024
PROOF_TYPES = {"application/pdf", "image/jpeg", "image/png"}


OVERDUE_DAYS = (30, 720)  # what a county may set as the days past due before a claim


def fund_create(
    *,
    acting_user,
    county_code: str,
    name: str,
    preset: str = "80:20",
    parties: list[tuple[str, str, int]] | None = None,
    insurance_first: bool = False,
    products: list[str] | None = None,
    account: str = "",
    overdue_days: int = 90,
    institution: int | None = None,
) -> Fund:
    """A county's fund under its agreement with the cooperating bank ``institution`` (issue 25;
    by default the county's own lender, :func:`fupin.divisions.selectors.lenders_of`) — deposited
    there and covering that bank's loans — with its sharing (a preset of R-RSK-2, or any parties
    and weights: exactly one party of kind "fund" and one "bank") and its claim policy: a claim
    only for a loan at least ``overdue_days`` past due (90 by default)."""
    access.require(acting_user, "riskfund.manage", code=county_code)
    if (
        isinstance(overdue_days, bool)
        or not isinstance(overdue_days, int)
        or not OVERDUE_DAYS[0] <= overdue_days <= OVERDUE_DAYS[1]
    ):
        raise ValidationFailed(
            f"代偿须逾期天数应为 {OVERDUE_DAYS[0]}–{OVERDUE_DAYS[1]} 天", code="overdue_days"
        )
    county = Division.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise ValidationFailed(f"“{county_code}”不是县级区划代码", code="county")
    if institution is None:
        institution = next((i.pk for i in lenders_of(county_code)), None)
    elif not Institution.objects.filter(pk=institution, county_id=county_code).exists():
        raise ValidationFailed("合作银行不是本县的贷款机构", code="institution")
    if parties is None:
        if preset not in core.SHARING:
            raise ValidationFailed(f"分担比例预设应为：{'、'.join(core.SHARING)}", code="sharing")
        parties = [(p.name, p.kind, p.weight) for p in core.SHARING[preset]]
    kinds = [k for _, k, _ in parties]
    if (
        kinds.count("fund") != 1
        or kinds.count("bank") != 1
        or any(k not in core.PARTY_KINDS for k in kinds)
        or any(int(w) <= 0 for _, _, w in parties)
    ):
        raise ValidationFailed("分担方须恰有一个风险补偿金和一个贷款银行，比例为正整数", code="sharing")
    with transaction.atomic():
        if Fund.objects.filter(county_code=county_code, institution=institution).exists():
            raise Conflict(
                "该县已与该银行设立风险补偿金" if institution else "该县已设立风险补偿金", code="fund_exists"
            )
        fund = Fund.objects.create(
            county_code=county_code,
            institution_id=institution,
            name=(name or f"{county.name}扶贫小额信贷风险补偿金")[:60],
            parties=[[n, k, int(w)] for n, k, w in parties],
            insurance_first=insurance_first,
            products=products if products is not None else ["subsidy", "annual", "group"],
            account=account[:60],
            overdue_days=overdue_days,
        )
        audit_record(
            actor=acting_user,
            action="riskfund.create",
            obj=fund,
            division_code=county_code,
            after={
                "parties": fund.parties,
                "insurance_first": insurance_first,
                "products": fund.products,
                "overdue_days": overdue_days,
            },
        )
    return fund


def contribution_post(
    *, acting_user, fund: Fund, source: str, amount: int, on: dt.date | None = None
) -> Contribution:
    """Money paid into the fund by a party (province, county, …): Dr 1011 / Cr 2901 in the books of
    the bank that holds it — none for a bank that keeps its own core system (its books record it)."""
    access.require(acting_user, "riskfund.contribute", fund)
    source = (source or "").strip()
    if not source:
        raise ValidationFailed("请填写出资方", code="source")
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed("出资金额必须大于零", code="amount")
    on = on or timezone.localdate()
    with transaction.atomic():
        entry = (
            None
            if feed_selectors.keeps_own_books(fund.institution_id)
            else entry_post(
                acting_user=acting_user,
                date=on,
                memo=f"{source}注入风险补偿金",
                division_code=fund.county_code,
                institution=fund.institution_id,
                postings=[
                    Posting("1011", debit=amount, memo="风险补偿金专户到账"),
                    Posting("2901", credit=amount, memo=source[:60]),
                ],
                source=f"riskfund.contribution:{fund.pk}",
            )
        )
        c = Contribution.objects.create(
            fund=fund,
            county_code=fund.county_code,
            source=source[:60],
            amount=amount,
            on=on,
            entry=entry,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="riskfund.contribute",
            obj=c,
            division_code=fund.county_code,
            after={"source": c.source, "amount": fmt(amount), "entry": entry.pk if entry else None},
        )
    return c


# --- claims (R-RSK-3) --------------------------------------------------------------------------


def claim_submit(
    *, acting_user, loan: Loan, cause: str, description: str, proofs: list[tuple[str, str, bytes]] = ()
) -> Claim:
    """A claim for a borrower who cannot repay (disaster, accident, illness, business failure),
    with its proofs (PDF or pictures, at most 5 MB each)."""
    access.require(acting_user, "fundclaim.submit", loan)
    description = _grounds(cause, description)
    if loan.state != Loan.State.ACTIVE:
        raise Conflict(f"贷款状态为“{loan.get_state_display()}”，不能申请代偿", code="loan_not_active")
    fund = _covering(loan.village_code, loan.institution_id, loan.product)
    _overdue_enough(fund, loan, timezone.localdate())
    return _file(
        acting_user,
        fund,
        loan.village_code,
        loan.institution_id,
        loan.contract_no,
        cause,
        description,
        proofs,
        loan=loan,
    )


def claim_submit_bank(
    *,
    acting_user,
    institution: int,
    contract_no: str,
    cause: str,
    description: str,
    proofs: list[tuple[str, str, bytes]] = (),
) -> Claim:
    """A claim on a loan of a bank that keeps its own core system (issue 25 (3)), as the newest
    month of its files states it: a registered borrower's loan, not settled, in the fund's cover
    and late for as long as the county's policy asks."""
    x = feed_selectors.latest_loan(institution, (contract_no or "").strip())
    if x is None or x.household_id is None:
        raise NotFound("银行月度数据中没有这笔借据，或借款人不在贫困户档案中", code="feed_loan_not_found")
    access.require(acting_user, "fundclaim.submit", x)
    description = _grounds(cause, description)
    if x.status in ("settled", "written_off"):
        raise Conflict(
            f"据 {x.feed.month:%Y年%m月} 的月度数据，借据状态为“{x.get_status_display()}”，不能申请代偿",
            code="loan_not_active",
        )
    fund = _covering(x.village_code, institution, product_code(x.product))
    _late_in_file(fund, x)
    return _file(acting_user, fund, x.village_code, institution, x.contract_no, cause, description, proofs)


def _grounds(cause: str, description: str) -> str:
    if cause not in core.CAUSES:
        raise ValidationFailed(f"原因应为：{'、'.join(core.CAUSES.values())}", code="cause")
    return reason_required(description, "情况说明", at_most=500)


def _covering(village_code: str, institution: int | None, product: str) -> Fund:
    fund = fund_covering(village_code, institution)
    if fund is None:
        raise Conflict("本县尚未设立风险补偿金", code="no_fund")
    if product not in fund.products:
        raise Conflict("该贷款产品不在风险补偿金覆盖范围内", code="not_covered")
    return fund


def _file(
    acting_user,
    fund: Fund,
    village_code: str,
    institution: int | None,
    contract_no: str,
    cause: str,
    description: str,
    proofs,
    *,
    loan: Loan | None = None,
) -> Claim:
    with transaction.atomic():
        live = Claim.objects.exclude(state=Claim.State.REJECTED)
        if (
            live.filter(loan=loan) if loan else live.filter(institution=institution, contract_no=contract_no)
        ).exists():
            raise Conflict("该贷款已有代偿申请", code="claim_exists")
        claim = Claim.objects.create(
            fund=fund,
            loan=loan,
            institution_id=institution,
            contract_no=contract_no,
            village_code=village_code,
            cause=cause,
            description=description,
            submitted_by=acting_user,
        )
        for name, content_type, data in proofs:
            _proof(acting_user, claim, name, content_type, data)
        audit_record(
            actor=acting_user,
            action="fundclaim.submit",
            obj=claim,
            division_code=claim.village_code,
            after={
                "loan": loan.pk if loan else None,
                "contract_no": contract_no,
                "cause": cause,
                "proofs": len(proofs),
            },
        )
    return claim


def days_past_due(loan: Loan, on: dt.date) -> int:
    """How many days the loan's earliest unpaid instalment is past due on ``on`` (0: not late)."""
    since = (
        Servicing.objects.filter(loan_id=loan.pk).values_list("late_since", flat=True).first()
    )  # as it is now
    return max(0, (on - since).days) if since is not None else 0


def _overdue_enough(fund: Fund, loan: Loan, on: dt.date) -> None:
    """DOMAIN §8, the county's policy: the fund pays only for a loan that has been late for at
    least ``fund.overdue_days`` — never for one that performs, nor for one cured since."""
    _late_enough(fund, days_past_due(loan, on), "贷款")


def _late_in_file(fund: Fund, x) -> None:
    """:func:`_overdue_enough` for a bank's loan, by the days past due its newest file states."""
    _late_enough(fund, x.days_overdue, f"据 {x.feed.month:%Y年%m月} 的月度数据，贷款")


def _late_enough(fund: Fund, late: int, what: str) -> None:
    if late < fund.overdue_days:
        raise Conflict(
            f"{what}{'未逾期' if late == 0 else f'仅逾期 {late} 天'}，未达到本县风险补偿金的代偿条件"
            f"（逾期满 {fund.overdue_days} 天）",
            code="not_overdue_enough",
            details={"days_past_due": late, "required": fund.overdue_days},
        )


MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片"}


def sniffed(data: bytes) -> str | None:
    """What the bytes are, by their first bytes (a PDF, a JPEG, a PNG), whatever they are called."""
    return next((kind for magic, kind in MAGIC.items() if data.startswith(magic)), None)


def _proof(user, claim: Claim, name: str, content_type: str, data: bytes) -> Proof:
    if content_type not in PROOF_TYPES:
        raise ValidationFailed("证明材料须为 PDF、JPEG 或 PNG 文件", code="proof_type")
    if not data or len(data) > MAX_PROOF:
        raise ValidationFailed("证明材料不能为空，且不能超过 5 MB", code="proof_size")
    actual = sniffed(data)
    if actual != content_type:  # stored and later served with this type: it must be what it says
        raise ValidationFailed(
            f"文件内容不是{LABELS[content_type]}"
            + (f"（实为{LABELS[actual]}）" if actual else "")
            + "：证明材料须为真实的 PDF、JPEG 或 PNG 文件",
            code="proof_content",
        )
    return Proof.objects.create(
        claim=claim,
        name=(name or "证明材料")[:120],
        content_type=content_type,
        size=len(data),
        data=data,
        uploaded_by=user,
    )


def proof_add(*, acting_user, claim: Claim, name: str, content_type: str, data: bytes) -> Proof:
    access.require(acting_user, "fundclaim.submit", claim)
    if claim.state in (Claim.State.PAID, Claim.State.REJECTED):
        raise Conflict("该申请已办结，不能再补充材料", code="claim_closed")
    with transaction.atomic():
        p = _proof(acting_user, claim, name, content_type, data)
        audit_record(
            actor=acting_user,
            action="fundclaim.proof",
            obj=claim,
            division_code=claim.village_code,
            after={"proof": p.pk, "name": p.name, "size": p.size},
        )
    return p


# state -> (step, action, next state, the fields it fills)
CHAIN: dict[str, tuple[str, str, str, str]] = {
    Claim.State.SUBMITTED: ("village", "fundclaim.village", Claim.State.VILLAGE, "village"),
    Claim.State.VILLAGE: ("township", "fundclaim.township", Claim.State.TOWNSHIP, "township"),
    Claim.State.TOWNSHIP: ("approve", "fundclaim.approve", Claim.State.APPROVED, "approved"),
}


def _lock(acting_user, claim: Claim, action: str) -> Claim:
    access.require(acting_user, action, claim)
    claim = Claim.objects.select_for_update(of=("self",)).select_related("fund", "loan").get(pk=claim.pk)
    if acting_user.pk in {
        claim.submitted_by_id,
        claim.village_by_id,
        claim.township_by_id,
        claim.approved_by_id,
    }:
        raise NotPermitted("同一人不能办理同一申请的两个环节（经办与复核分离）", code="maker_checker")
    return claim


def claim_review(*, acting_user, claim: Claim, approve: bool, note: str = "") -> Claim:
    """The next review step (village committee → township → poverty office); a rejection with
    its reason ends the claim."""
    if claim.state not in CHAIN:
        raise Conflict(f"申请状态为“{claim.get_state_display()}”，不能审查", code="claim_state")
    step, action, nxt, field = CHAIN[claim.state]
    on = timezone.localdate()
    with transaction.atomic():
        claim = _lock(acting_user, claim, action)
        if claim.state not in CHAIN or CHAIN[claim.state][0] != step:
            raise Conflict(f"申请状态为“{claim.get_state_display()}”，不能审查", code="claim_state")
        if not approve:
            note = reason_required(note, "否决理由")
        setattr(claim, f"{field}_by", acting_user)
        setattr(claim, f"{field}_on", on)
        claim.state = nxt if approve else Claim.State.REJECTED
        claim.note = note.strip()[:200]
        claim.save()
        audit_record(
            actor=acting_user,
            action=f"fundclaim.{step}",
            obj=claim,
            division_code=claim.village_code,
            after={"approve": approve, "state": claim.state, "note": claim.note},
        )
    return claim


def claim_pay(*, acting_user, claim: Claim, insurance: int = 0) -> Claim:
    """The payout (R-RSK-3): the loss (principal and interest still owed) less what insurance
    paid is shared among the parties (:func:`fupin.core.riskfund.loss_split`); the loan is
    written off in the bank's books and recovery continues."""
    if type(insurance) is not int or insurance < 0:
        raise ValidationFailed("保险赔付金额不能为负", code="insurance")
    on = timezone.localdate()
    with transaction.atomic():
        claim = _lock(acting_user, claim, "fundclaim.pay")
        if claim.state != Claim.State.APPROVED:
            raise Conflict(f"申请状态为“{claim.get_state_display()}”，不能代偿", code="claim_state")
        if insurance and not claim.fund.insurance_first:
            raise ValidationFailed("本县风险补偿金未设保险先行赔付", code="insurance")
        parties = claim.fund.sharing()
        if claim.loan_id is None:
            return _pay_bank(acting_user, claim, parties, insurance, on)
        closed = open_day(on)
        loan, _ = lock(claim.loan)
        _overdue_enough(claim.fund, loan, on)  # again at the payout: the loan may have been cured meanwhile

        def funding(principal: int, interest: int, penalty: int) -> list[Posting]:
            split = _share(claim, parties, principal, interest, penalty, insurance)
            out = (
                [Posting("1011", debit=split.insurance, loan=loan.pk, memo="保险赔付")]
                if split.insurance
                else []
            )
            for p, fen in zip(parties, split.shares, strict=True):
                if fen:
                    account = {"fund": "2901", "bank": "6701"}.get(p.kind, "1011")
                    out.append(Posting(account, debit=fen, loan=loan.pk, memo=f"{p.name}分担"))
            if penalty:
                out.append(Posting("6701", debit=penalty, loan=loan.pk, memo="罚息由银行核销"))
            return out

        event = LoanEvent(
            loan=loan,
            kind=LoanEvent.Kind.WRITE_OFF,
            state=LoanEvent.State.APPROVED,
            reason=f"风险补偿金代偿（申请 #{claim.pk}）",
            village_code=loan.village_code,
            requested_by_id=claim.submitted_by_id,
            decided_by=acting_user,
            decided_on=on,
            decision_note="风险补偿金代偿后核销",
        )
        event.entry, _ = loan_write_off(acting_user, event, loan, on, closed, funding)
        if event.entry is None:
            raise Conflict("贷款已用保证金和溢缴款结清，无需代偿", code="nothing_to_pay")
        event.save()
        claim.event = event
        _paid(acting_user, claim, on, entry=event.entry_id)
    return claim


def _share(claim: Claim, parties, principal: int, interest: int, penalty: int, insurance: int):
    """The loss (principal and interest) shared among the parties, recorded on the claim."""
    split = core.loss_split(principal + interest, parties, insurance)
    claim.principal, claim.interest, claim.penalty, claim.insurance = (
        principal,
        interest,
        penalty,
        split.insurance,
    )
    claim.shares = [[p.name, p.kind, p.weight, fen] for p, fen in zip(parties, split.shares, strict=True)]
    return split


def _paid(acting_user, claim: Claim, on: dt.date, **facts) -> None:
    claim.paid_by, claim.paid_on, claim.state = acting_user, on, Claim.State.PAID
    claim.save()
    audit_record(
        actor=acting_user,
        action="fundclaim.pay",
        obj=claim,
        division_code=claim.village_code,
        after={
            "loss": fmt(claim.loss),
            "insurance": fmt(claim.insurance),
            "penalty": fmt(claim.penalty),
            "shares": [[n, fmt(f)] for n, _, _, f in claim.shares],
            **facts,
        },
    )


def _pay_bank(acting_user, claim: Claim, parties, insurance: int, on: dt.date) -> Claim:
    """The payout on a bank's loan (issue 25 (3)): the loss is the balance and the interest owed
    that its newest file states, shared as for any loan; the bank writes the loan off in its own
    core system, so nothing is posted here — the fund's share counts in its balance."""
    x = feed_selectors.latest_loan(claim.institution_id, claim.contract_no)
    if x is None or x.status in ("settled", "written_off"):
        raise Conflict("据银行最新月度数据，该贷款已结清或核销，无需代偿", code="nothing_to_pay")
    _late_in_file(claim.fund, x)  # again at the payout: the newest file may show it cured
    _share(claim, parties, x.balance, x.overdue_interest, 0, insurance)
    _paid(acting_user, claim, on, file=f"{x.feed.month:%Y-%m}")
    return claim


def bank_recoveries(claim: Claim) -> list[dict]:
    """What a bank's files show repaid on a loan after the fund paid for it, each returned to the
    parties in the claim's shares (R-RSK-3): on, amount and [name, kind, fen] shares."""
    if claim.loan_id is not None or claim.state != Claim.State.PAID or claim.paid_on is None:
        return []
    parties = [core.Party(n, k, int(w)) for n, k, w, _ in claim.shares]
    out = []
    for r in feed_selectors.repayments_after(claim.institution_id, claim.contract_no, claim.paid_on):
        amount = r.principal + r.interest + r.penalty
        back = core.recovery_split(amount, parties)
        shares = [[p.name, p.kind, fen] for p, fen in zip(parties, back, strict=True)]
        out.append({"on": r.paid_on, "amount": amount, "shares": shares})
    return out


def recovery_shares(loan: Loan, amount: int) -> Shares | None:
    """For a recovery of ``amount`` on a loan the fund paid for: the credits that return it to
    the parties in the same shares (R-RSK-3), and how to record it. None otherwise."""
    if amount <= 0:
        return None
    claim = Claim.objects.filter(loan=loan, state=Claim.State.PAID).select_related("fund").first()
    if claim is None:
        return None
    parties = [core.Party(n, k, int(w)) for n, k, w, _ in claim.shares]
    back = core.recovery_split(amount, parties)
    account = {"fund": "2901", "bank": "6013"}
    postings = [
        Posting(account.get(p.kind, "2262"), credit=fen, loan=loan.pk, memo=f"收回返还{p.name}")
        for p, fen in zip(parties, back, strict=True)
        if fen
    ]
    shares = [[p.name, p.kind, fen] for p, fen in zip(parties, back, strict=True)]
    return Shares(
        postings, lambda r: Recovery.objects.create(claim=claim, repayment=r, amount=amount, shares=shares)
    )


def fund_for(loan: Loan) -> Fund | None:
    return fund_covering(loan.village_code, loan.institution_id)


def fund_covering(village_code: str, institution: int | None) -> Fund | None:
    """The fund that covers a lender's loans in a village: its county's under an agreement with
    the lender, else its county's fund for every lender (issue 25)."""
    funds = Fund.objects.filter(county_code=village_code[:6] + "000000")
    return funds.filter(institution=institution).first() or funds.filter(institution=None).first()


def fund_balance(
    county: str, on: dt.date | None = None, *, fund: Fund | None = None, institution: int | None = None
) -> dict:
    """The county's funds' money after the close of ``on`` (None: now) — of one fund, or of the
    funds under agreements with one institution, if given: contributions, the fund's share of
    payouts, its share of recoveries, and the balance they leave (R-RSK-1)."""
    county = county[:6]

    def of(path: str) -> Q:  # the fund (or the institution's funds) a row belongs to, by ``path``
        if fund is not None:
            return Q(**{path: fund})
        return Q(**{f"{path}__institution": institution}) if institution is not None else Q()

    paid_in = Contribution.objects.filter(of("fund"), county_code__startswith=county)
    claims = Claim.objects.filter(of("fund"), fund__county_code__startswith=county, state=Claim.State.PAID)
    recoveries = Recovery.objects.filter(of("claim__fund"), claim__fund__county_code__startswith=county)
    if on is not None:
        paid_in = paid_in.filter(on__lte=on)
        claims = claims.filter(paid_on__lte=on)
        recoveries = recoveries.filter(repayment__received_on__lte=on)
    contributed = paid_in.aggregate(n=Sum("amount"))["n"] or 0
    out = sum(f for shares in claims.values_list("shares", flat=True) for _, k, _, f in shares if k == "fund")
    back = sum(
        f for shares in recoveries.values_list("shares", flat=True) for _, k, f in shares if k == "fund"
    )
    back += sum(  # a bank's loan the fund paid for: its files' repayments since (issue 25 (3))
        f
        for claim in claims.filter(loan__isnull=True)
        for r in bank_recoveries(claim)
        if on is None or r["on"] <= on
        for _, k, f in r["shares"]
        if k == "fund"
    )
    return {
        "contributed": contributed,
        "paid_out": out,
        "recovered": back,
        "balance": contributed - out + back,
    }


def fund_position(fund: Fund) -> dict:
    """Balance (contributions − the fund's payouts + its recoveries), loans covered, leverage."""
    money = fund_balance(fund.county_code, fund=fund)
    covered = Loan.objects.filter(
        state=Loan.State.ACTIVE, product__in=fund.products, village_code__startswith=fund.county_code[:6]
    )
    if fund.institution_id is not None:
        covered = covered.filter(institution=fund.institution_id)
    outstanding = Installment.objects.filter(loan__in=covered).aggregate(
        p=Sum("principal"), paid=Sum("principal_paid")
    )
    principal = (outstanding["p"] or 0) - (outstanding["paid"] or 0)
    # and the loans of a bank that keeps its own core system, as its latest file states them (issue 25 (3))
    fed, fed_principal = feed_selectors.owing(fund.institution_id, fund.county_code)
    principal += fed_principal
    return {
        **money,
        "loans": covered.count() + fed,
        "outstanding": principal,
        "leverage": core.leverage(principal, money["balance"]),
    }


# --- malicious default (R-RSK-4) -----------------------------------------------------------------


def blacklist_decide(*, acting_user, household, reason: str, decision_no: str) -> Blacklist:
    """Blacklist a household for malicious default: a recorded decision; the household loses
    programme eligibility (the exclusion 恶意拖欠, R-ELG-2a) and every subsidy from now on."""
    access.require(acting_user, "blacklist.decide", household)
    reason = reason_required(reason, "事实与理由")
    decision_no = (decision_no or "").strip()
    if not decision_no:
        raise ValidationFailed("请填写决定文号", code="decision_no")
    on = timezone.localdate()
    with transaction.atomic():
        if Blacklist.objects.filter(household=household, lifted_on__isnull=True).exists():
            raise Conflict("该户已在失信黑名单中", code="blacklisted")
        exclusion = Exclusion.objects.create(
            household=household,
            village_code=household.village_id,
            code="deliberate_arrears",
            reason=reason,
            recorded_by=acting_user,
            recorded_on=on,
        )
        b = Blacklist.objects.create(
            household=household,
            village_code=household.village_id,
            reason=reason,
            decision_no=decision_no[:40],
            decided_by=acting_user,
            decided_on=on,
            exclusion=exclusion,
        )
        audit_record(
            actor=acting_user,
            action="blacklist.decide",
            obj=b,
            division_code=b.village_code,
            after={
                "household": household.pk,
                "reason": reason,
                "decision_no": b.decision_no,
                "exclusion": exclusion.pk,
            },
        )
    return b


def blacklist_lift(*, acting_user, blacklisting: Blacklist, reason: str) -> Blacklist:
    """Reverse a blacklisting with a recorded decision, by someone other than who made it."""
    access.require(acting_user, "blacklist.decide", blacklisting)
    if acting_user.pk == blacklisting.decided_by_id:
        raise NotPermitted("撤销须由作出决定以外的人办理", code="maker_checker")
    reason = reason_required(reason, "撤销理由")
    on = timezone.localdate()
    with transaction.atomic():
        b = Blacklist.objects.select_for_update().get(pk=blacklisting.pk)
        if b.lifted_on:
            raise Conflict("该决定已撤销", code="already_lifted")
        b.lifted_on, b.lifted_by, b.lift_reason = on, acting_user, reason
        b.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
        if b.exclusion_id:
            Exclusion.objects.filter(pk=b.exclusion_id, withdrawn_on__isnull=True).update(
                withdrawn_on=on, withdrawn_by=acting_user, withdraw_reason=f"撤销失信黑名单：{reason}"[:300]
            )
        audit_record(
            actor=acting_user,
            action="blacklist.lift",
            obj=b,
            division_code=b.village_code,
            after={"reason": reason},
        )
    return b


def legal_action_record(
    *, acting_user, household, kind: str, on: dt.date, note: str, loan: Loan | None = None
) -> LegalAction:
    access.require(acting_user, "legal.record", household)
    if kind not in LegalAction.Kind.values:
        raise ValidationFailed(f"措施应为：{'、'.join(LegalAction.Kind.labels)}", code="kind")
    note = reason_required(note, "说明")
    if loan is not None and loan.household_id != household.pk:
        raise ValidationFailed("该贷款不属于此户", code="loan")
    with transaction.atomic():
        a = LegalAction.objects.create(
            household=household,
            loan=loan,
            village_code=household.village_id,
            kind=kind,
            on=on,
            note=note,
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="legal.record",
            obj=a,
            division_code=a.village_code,
            after={"kind": kind, "on": str(on), "loan": loan.pk if loan else None, "note": note},
        )
    return a
