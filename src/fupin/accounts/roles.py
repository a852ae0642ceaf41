"""Roles (DOMAIN §14) and the actions each may take.

This table is the single statement of who may do what; :mod:`fupin.accounts.access`
applies it together with the jurisdiction of each role assignment. Later issues add
actions here, and the permission-matrix test checks every view and endpoint against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fupin.core.divisions import Level


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    english: str
    level: Level | None  # the division level the role is bound to; None: any level
    bank: bool = False  # bound to a branch; scope is the branch's coverage


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role("village_cadre", "村干部", "Village cadre", Level.VILLAGE),
        Role("township_cadre", "乡镇干部", "Township cadre", Level.TOWNSHIP),
        Role("poverty_office", "县扶贫办", "County poverty office", Level.COUNTY),
        Role("finance_bureau", "县财政局", "County finance bureau", Level.COUNTY),
        Role("loan_officer", "信贷员", "Loan officer", None, bank=True),
        Role("branch_director", "网点主任", "Branch director", None, bank=True),
        Role("head_office", "总社", "Head office", None, bank=True),
        Role("auditor", "审计", "Auditor", None),
        Role("household", "农户", "Household", Level.VILLAGE),
        Role("sysadmin", "系统管理员", "System administrator", None),
    ]
}
ROLE_CHOICES = [(r.code, r.label) for r in ROLES.values()]

STAFF = frozenset(ROLES) - {"household"}
ALL = frozenset(ROLES)

# those who follow the households' loans day by day: the cadres, the poverty office, the banks'
# staff and the auditors
FOLLOW = frozenset(
    {
        "village_cadre",
        "township_cadre",
        "poverty_office",
        "loan_officer",
        "branch_director",
        "head_office",
        "auditor",
    }
)

# action -> roles that may take it (always within the assignment's jurisdiction)
ACTIONS: dict[str, frozenset[str]] = {
    "home.view": ALL,
    "division.view": STAFF,
    "division.manage": frozenset({"sysadmin"}),
    "audit.view": frozenset({"auditor", "sysadmin"}),
    "user.view": frozenset({"sysadmin"}),
    "user.manage": frozenset({"sysadmin"}),
    "token.manage": frozenset({"sysadmin"}),
    "token.own": STAFF,
    # webhook subscriptions (issue 26 (6)): the county's administrators, a bank's head office for its own
    "webhook.manage": frozenset({"sysadmin", "head_office"}),
    # the holiday arrangement the schedules use (R-PRD-2)
    "calendar.view": STAFF,
    "calendar.manage": frozenset({"sysadmin"}),
    # benchmark rates (LPR) as dated policy data (issue 24 (8))
    "benchmark.view": STAFF,
    "benchmark.manage": frozenset({"head_office"}),
    # registry (R-REG-*)
    # visits to households, often taken offline on a phone (issue 27 (8))
    "visit.record": frozenset({"village_cadre", "township_cadre", "loan_officer"}),
    "visit.view": FOLLOW,
    "field.use": frozenset({"village_cadre", "township_cadre", "loan_officer"}),  # the village kit
    "household.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "registry.import": frozenset({"village_cadre", "township_cadre", "poverty_office"}),
    # the text-message log (issue 26 (7)): whoever sees the households it was sent to
    "sms.view": FOLLOW,
    "pii.reveal": frozenset({"village_cadre", "poverty_office", "loan_officer"}),
    # 评级授信 and eligibility (R-RAT-*, R-ELG-*)
    "rating.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "scorecard.manage": frozenset({"poverty_office"}),
    "rating.organise": frozenset({"village_cadre", "loan_officer"}),  # panels and rounds
    "rating.score": frozenset({"village_cadre", "township_cadre", "loan_officer"}),  # and a seat on the panel
    "rating.sign": frozenset({"village_cadre", "township_cadre", "loan_officer"}),  # a panel member signs
    "rating.review": frozenset({"township_cadre"}),
    "rating.audit": frozenset({"poverty_office"}),
    "rating.decide": frozenset(
        {"township_cadre", "poverty_office"}
    ),  # the review or the audit, whichever is due
    "exclusion.record": frozenset({"village_cadre", "loan_officer", "poverty_office"}),
    "designation.publish": frozenset({"poverty_office"}),
    "reputation.publish": frozenset({"poverty_office"}),
    # origination (R-APP-*)
    "application.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "application.create": frozenset({"village_cadre", "loan_officer"}),
    "application.review": frozenset(
        {
            "village_cadre",
            "loan_officer",
            "township_cadre",
            "poverty_office",
            "branch_director",
            "head_office",
        }
    ),  # each step names its own role
    "notice.publish": frozenset({"village_cadre"}),
    # any cadre account; and a villager, signed in by an SMS code from a notice's public page (issue 28 (4))
    "objection.file": frozenset({"village_cadre", "township_cadre", "poverty_office", "household"}),
    "objection.resolve": frozenset({"poverty_office"}),
    "roster.approve": frozenset({"poverty_office"}),
    "quota.manage": frozenset({"poverty_office"}),
    "loan.contract": frozenset({"loan_officer"}),
    "group.manage": frozenset({"village_cadre", "loan_officer"}),  # groups and lead agreements
    "repayment.post": frozenset({"loan_officer"}),
    "loan.disburse": frozenset({"loan_officer", "branch_director"}),
    "loanbook.import": frozenset({"head_office"}),  # a lender's existing book brought in (issue 25 (2))
    # the county's lenders (issue 25): registered by the county; products and authority by the
    # county or the lender's own head office
    "institution.register": frozenset({"poverty_office", "sysadmin"}),
    # the monthly data of banks that keep their own core system (issue 25 (3))
    "feed.import": frozenset({"poverty_office", "head_office"}),
    "feed.view": frozenset({"poverty_office", "finance_bureau", "head_office", "branch_director", "auditor"}),
    "institution.manage": frozenset({"poverty_office", "sysadmin", "head_office"}),
    # the ledger (R-REP-6)
    "ledger.view": frozenset({"loan_officer", "branch_director", "head_office", "auditor"}),
    "ledger.reverse": frozenset({"branch_director", "head_office"}),
    "ledger.chart": frozenset({"head_office"}),
    # servicing and close of business (R-REP-*, R-RPT-4)
    "cob.view": frozenset({"branch_director", "head_office", "auditor", "sysadmin"}),
    "cob.run": frozenset({"head_office", "sysadmin"}),
    "collection.view": FOLLOW,
    "loan.event.request": frozenset({"loan_officer"}),  # extension, rollover, write-off, refund
    "loan.event.approve": frozenset({"branch_director", "head_office"}),
    # interest subsidies (R-SUB-*): bank prepares → poverty office → finance confirms, pays → bank credits
    "subsidy.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "subsidy.policy": frozenset({"poverty_office"}),
    "subsidy.prepare": frozenset({"loan_officer", "branch_director", "head_office"}),
    "subsidy.review": frozenset({"poverty_office"}),
    "subsidy.confirm": frozenset({"finance_bureau"}),
    "subsidy.pay": frozenset({"finance_bureau"}),
    "subsidy.credit": frozenset({"loan_officer", "branch_director", "head_office"}),
    # the risk compensation fund (R-RSK-*)
    "riskfund.view": frozenset(
        {
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "riskfund.manage": frozenset({"poverty_office", "finance_bureau"}),
    "riskfund.contribute": frozenset({"finance_bureau"}),
    "fundclaim.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "fundclaim.submit": frozenset({"village_cadre", "loan_officer"}),
    "fundclaim.review": frozenset(
        {"village_cadre", "township_cadre", "poverty_office"}
    ),  # each step its own role:
    "fundclaim.village": frozenset({"village_cadre"}),
    "fundclaim.township": frozenset({"township_cadre"}),
    "fundclaim.approve": frozenset({"poverty_office"}),
    "fundclaim.pay": frozenset({"finance_bureau"}),
    # official tables, indicators, rankings (R-RPT-*), each for a division in the reader's jurisdiction
    # the policy simulator (issue 28 (2)): the county offices that write the rules and pay for them
    "simulate.run": frozenset({"poverty_office", "finance_bureau", "auditor"}),
    "report.view": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "finance_bureau",
            "loan_officer",
            "branch_director",
            "head_office",
            "auditor",
        }
    ),
    "blacklist.decide": frozenset({"poverty_office", "branch_director", "head_office"}),
    "legal.record": frozenset({"loan_officer", "branch_director", "head_office"}),
    # officer pay (R-PAY-*): an officer reads their own part, the branch's managers the whole sheet
    "pay.view": frozenset({"loan_officer", "branch_director", "head_office", "auditor"}),
    "pay.branch": frozenset({"branch_director", "head_office", "auditor"}),
    "pay.rules": frozenset({"head_office"}),
    # village mutual-aid cooperatives (R-COOP-*): run by the village, matched by the county
    "coop.view": frozenset(
        {"village_cadre", "township_cadre", "poverty_office", "finance_bureau", "auditor"}
    ),
    "coop.manage": frozenset({"village_cadre"}),
    "coop.matching": frozenset({"poverty_office", "finance_bureau"}),
    # the credit-information service (R-CRD-*): the service's operators hold the data; a bank
    # queries it only with the household's consent; every query is logged
    "credit.view": frozenset({"village_cadre", "township_cadre", "poverty_office", "auditor"}),
    "credit.record": frozenset({"village_cadre", "township_cadre", "poverty_office"}),
    "credit.query": frozenset({"loan_officer", "branch_director", "head_office"}),
    "credit.report": frozenset(
        {
            "village_cadre",
            "township_cadre",
            "poverty_office",
            "auditor",
            "loan_officer",
            "branch_director",
            "head_office",
        }
    ),
    "credit.consent": frozenset({"village_cadre", "loan_officer"}),
    "credit.log": frozenset({"poverty_office", "auditor"}),
    "credit.exchange": frozenset({"poverty_office"}),
    "credit.rate": frozenset({"poverty_office"}),
    # household self-service (DOMAIN §14): its own data only, through its login's link
    "selfservice.view": frozenset({"household"}),
}


def roles_for(action: str) -> frozenset[str]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: declare it in fupin.accounts.roles.ACTIONS") from None


# Steps that move money or decide about it (DOMAIN §14: the 2002 fraud of 篇1 is the threat): a
# role allowed any of them is given only by two administrators (fupin.accounts.services.role_assign).
MONEY_ACTIONS = frozenset(
    {
        "repayment.post",
        "loan.disburse",
        "loanbook.import",
        "loan.contract",
        "ledger.reverse",
        "ledger.chart",
        "benchmark.manage",
        "cob.run",
        "loan.event.request",
        "loan.event.approve",
        "subsidy.prepare",
        "subsidy.review",
        "subsidy.confirm",
        "subsidy.pay",
        "subsidy.credit",
        "riskfund.manage",
        "riskfund.contribute",
        "fundclaim.approve",
        "fundclaim.pay",
        "user.manage",
    }
)
MONEY_ROLES = frozenset(r for r in ROLES if any(r in ACTIONS.get(a, ()) for a in MONEY_ACTIONS))
