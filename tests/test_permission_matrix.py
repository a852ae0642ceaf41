"""The permission matrix: every role against every page and endpoint, in and out of scope.

The expectations below are written out by hand from DOMAIN §14, independently of
``fupin.accounts.roles``; the coverage tests at the bottom fail when a page or an API
operation exists that the matrix does not list, so the matrix grows with the system.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from fupin.core.rating import PRESET_P2, scorecard_to_dict
from fupin.divisions.models import Institution
from fupin.divisions.selectors import lenders_of
from fupin.feeds.models import FeedLoan
from fupin.households.models import Person
from fupin.site.api import api
from fupin.webhooks.models import Subscription
from tests.conftest import OTHER_VILLAGE, ROLES_UNDER_TEST

STAFF = set(ROLES_UNDER_TEST) - {"household"}
EVERYONE = set(ROLES_UNDER_TEST)
AUDIT = {"auditor", "sysadmin"}
ADMIN = {"sysadmin"}
HH_VIEW = {
    "village_cadre",
    "township_cadre",
    "poverty_office",
    "finance_bureau",
    "loan_officer",
    "branch_director",
    "head_office",
    "auditor",
}
PII = {"village_cadre", "poverty_office", "loan_officer"}
IMPORT = {"village_cadre", "township_cadre", "poverty_office"}
# a household whose head's ID number has a wrong check character: refused, nothing written
BAD_HOUSEHOLD = {
    "village_code": "{village}",
    "registry_no": "M0001",
    "members": [{"name": "矩阵", "id_number": "522601199001011230", "relationship": "户主"}],
}
WEBHOOK = {"sysadmin", "head_office"}
# a visit written on a phone (issue 27 (8)), dated before every day the tests pin the clock to
VISIT = {
    "visited_on": "2025-12-01",
    "kind": "after_loan",
    "note": "矩阵走访",
    "idempotency_key": "matrix-visit-1",
}
SMS_VIEW = HH_VIEW - {"finance_bureau"}
WEBHOOK_OUT = {"head_office": 404, "*": 403}
# a household outside a role's jurisdiction answers 404 to roles that may view households at all
HH_OUT = {**{r: 404 for r in HH_VIEW}, "*": 403}
RATING = HH_VIEW
ORGANISE = {"village_cadre", "loan_officer"}
SCORE = {"village_cadre", "township_cadre", "loan_officer"}
EXCLUDE = {"village_cadre", "loan_officer", "poverty_office"}
OFFICE = {"poverty_office"}
# a rating of the sibling village: the first village's cadre may not see it
SIBLING = {"village_cadre": 404, "*": 403}
SCORECARD = scorecard_to_dict(PRESET_P2)
LEDGER = {"loan_officer", "branch_director", "head_office", "auditor"}
APPLY = {"village_cadre", "loan_officer"}
REVIEW = {
    "village_cadre",
    "loan_officer",
    "township_cadre",
    "poverty_office",
    "branch_director",
    "head_office",
}
OBJECT = {"village_cadre", "township_cadre", "poverty_office"}
FEEDS = {"poverty_office", "finance_bureau", "head_office", "branch_director", "auditor"}
FEED_OTHER = {"head_office": 404, "branch_director": 404, "*": 403}  # the postal bank's month: not theirs
REVERSE = {"branch_director", "head_office"}
APPROVE_EVENT = {"branch_director", "head_office"}
COB_VIEW = {"branch_director", "head_office", "auditor", "sysadmin"}
COLLECT = {
    "village_cadre",
    "township_cadre",
    "poverty_office",
    "loan_officer",
    "branch_director",
    "head_office",
    "auditor",
}
SUB_VIEW = HH_VIEW
REPORT = HH_VIEW
PREPARE = {"loan_officer", "branch_director", "head_office"}
RISK_VIEW = {
    "township_cadre",
    "poverty_office",
    "finance_bureau",
    "loan_officer",
    "branch_director",
    "head_office",
    "auditor",
}
CLAIM_VIEW = HH_VIEW
SUBMIT = {"village_cadre", "loan_officer"}
DECIDE = {"poverty_office", "branch_director", "head_office"}
LEGAL = {"loan_officer", "branch_director", "head_office"}
PAY = {"loan_officer", "branch_director", "head_office", "auditor"}
COOP_VIEW = {"village_cadre", "township_cadre", "poverty_office", "finance_bureau", "auditor"}
CREDIT_VIEW = {"village_cadre", "township_cadre", "poverty_office", "auditor"}
CREDIT_RECORD = {"village_cadre", "township_cadre", "poverty_office"}
CREDIT_REPORT = CREDIT_VIEW | {
    "loan_officer",
    "branch_director",
    "head_office",
}  # the bank: with the consent below
CONSENT = {"village_cadre", "loan_officer"}
CREDIT_OUT = {**{r: 404 for r in CREDIT_REPORT}, "*": 403}
OTHER_BRANCH = {"loan_officer": 404, "branch_director": 404, "*": 403}  # FM002 serves the second township
# the subsidy batch is the first township's, the claim the sibling village's: out of the village cadre's scope
NOT_CADRE = {"village_cadre": 404, "*": 403}
PANEL_VALUES = {
    "truthful": "真实",
    "resident": "12",
    "ability": "强",
    "project": "好",
    "income": "3000",
    "labour": "2",
    "neighbours": "和睦",
    "reputation": "好",
}
# the county-level import batch is visible to its county's importers only
BATCH_REFUSED = {"village_cadre": 404, "township_cadre": 404, "*": 403}

# (method, url-or-template, roles allowed, status when allowed, status when refused)
# {own} = a division in the role's jurisdiction; {out} = a division in another county;
# {token}, {token2} = tokens issued in the fixture (one for the page, one for the API);
# {subject} = a user of the demo county with roles {role_a} and {role_b} (besides a first one);
# {stranger} = a user of the neighbouring county.
PAGES = {
    "home": [("GET", "/", EVERYONE, 200, None)],
    "healthz": [("GET", "/healthz", "public", 200, None)],
    "login": [("GET", "/login/", set(), None, 302)],  # anonymous: 200; signed in: redirected home
    "logout": [("POST", "/logout/", "public", 302, None)],
    "set_language": [("POST", "/i18n/setlang/", "public", 302, None)],
    "division_list": [("GET", "/divisions/", STAFF, 200, 403)],
    "calendar_year": [("GET", "/calendar/?year=2030", STAFF, 200, 403)],
    "benchmark_list": [("GET", "/benchmarks/", STAFF, 200, 403)],
    "benchmark_enter": [("POST", "/benchmarks/new/", {"head_office"}, 302, 403)],  # no figures: a message
    "calendar_enter": [("POST", "/calendar/days/", ADMIN, 302, 403)],  # no date given: a Chinese message
    "calendar_remove": [("POST", "/calendar/days/999999/remove/", ADMIN, 302, 403)],  # none such: a message
    "division_detail": [
        ("GET", "/divisions/{own}/", STAFF, 200, 403),
        ("GET", "/divisions/{out}/", set(), 200, {"household": 403, "*": 404}),
    ],
    "audit_list": [("GET", "/audit/", AUDIT, 200, 403)],
    "household_list": [("GET", "/households/", HH_VIEW, 200, 403)],
    "household_export": [("GET", "/households/export.xlsx", HH_VIEW, 200, 403)],
    "household_detail": [
        ("GET", "/households/{hh}/", HH_VIEW, 200, 403),
        ("GET", "/households/{hh_out}/", set(), 200, HH_OUT),
    ],
    "household_reveal": [
        ("POST", "/households/{hh}/reveal/", PII, 200, 403),
        ("POST", "/households/{hh_out}/reveal/", set(), 200, {**{r: 404 for r in PII}, "*": 403}),
    ],
    "registry_import": [("GET", "/registry/import/", IMPORT, 200, 403)],
    "registry_template": [("GET", "/registry/template.xlsx", IMPORT, 200, 403)],
    "registry_batch": [("GET", "/registry/import/{batch}/", {"poverty_office"}, 200, BATCH_REFUSED)],
    "registry_batch_problems": [
        ("GET", "/registry/import/{batch}/problems.xlsx", {"poverty_office"}, 200, BATCH_REFUSED)
    ],
    "exclusion_record": [
        ("POST", "/households/{hh}/exclusions/", EXCLUDE, 302, 403),
        ("POST", "/households/{hh_out}/exclusions/", set(), 302, {**{r: 404 for r in EXCLUDE}, "*": 403}),
    ],
    "reputation_publish": [
        ("POST", "/households/{hh}/reputation/", OFFICE, 302, 403),
        ("POST", "/households/{hh_out}/reputation/", set(), 302, {"poverty_office": 404, "*": 403}),
    ],
    "rating_overview": [("GET", "/ratings/", RATING, 200, 403)],
    "scorecard_list": [("GET", "/ratings/scorecards/", RATING, 200, 403)],
    "scorecard_presets": [("POST", "/ratings/scorecards/presets/", OFFICE, 302, 403)],
    "scorecard_detail": [("GET", "/ratings/scorecards/{scorecard}/", RATING, 200, 403)],
    "scorecard_draft": [("POST", "/ratings/scorecards/{scorecard}/draft/", OFFICE, 302, 403)],
    "scorecard_update": [("POST", "/ratings/scorecards/{page_draft}/edit/", OFFICE, 302, 403)],
    "scorecard_publish": [("POST", "/ratings/scorecards/{page_draft}/publish/", OFFICE, 302, 403)],
    "panel_list": [("GET", "/ratings/panels/", ORGANISE, 200, 403)],
    "round_new": [("POST", "/ratings/rounds/new/", ORGANISE, 302, 403)],
    "round_detail": [
        ("GET", "/ratings/rounds/{round}/", RATING, 200, 403),
        ("GET", "/ratings/rounds/{round_sibling}/", RATING - {"village_cadre"}, 200, SIBLING),
    ],
    "round_sign": [("POST", "/ratings/rounds/{round}/sign/", SCORE, 302, 403)],
    "round_decide": [
        ("POST", "/ratings/rounds/{round}/decide/", {"township_cadre", "poverty_office"}, 302, 403)
    ],
    "rating_detail": [
        ("GET", "/ratings/{rating_open}/", RATING, 200, 403),
        ("GET", "/ratings/{rating_sibling}/", RATING - {"village_cadre"}, 200, SIBLING),
    ],
    "rating_form_pdf": [("GET", "/ratings/{rating_done}/form.pdf", RATING, 200, 403)],
    "exclusion_withdraw": [("POST", "/ratings/exclusions/{exclusion}/withdraw/", EXCLUDE, 302, 403)],
    "unborrowed_list": [("GET", "/ratings/unborrowed/", HH_VIEW, 200, 403)],
    "unborrowed_export": [("GET", "/ratings/unborrowed.xlsx", HH_VIEW, 200, 403)],
    "credit_villages": [("GET", "/ratings/villages/", RATING, 200, 403)],
    "designation_publish": [("POST", "/ratings/villages/{village}/publish/", OFFICE, 302, 403)],
    "designation_withdraw": [("POST", "/ratings/designations/{designation}/withdraw/", OFFICE, 302, 403)],
    "reputation_list": [("GET", "/ratings/reputation/", RATING, 200, 403)],
    "rules_list": [
        ("GET", "/ratings/rules/", RATING, 200, 403),
        ("POST", "/ratings/rules/", OFFICE, 302, 403),
    ],
    "reputation_withdraw": [("POST", "/ratings/reputation/{reputation}/withdraw/", OFFICE, 302, 403)],
    "application_new": [
        ("GET", "/households/{hh}/apply/", APPLY, 200, 403),
        ("GET", "/households/{hh_out}/apply/", set(), 200, {**{r: 404 for r in APPLY}, "*": 403}),
    ],
    "application_list": [
        ("GET", "/loans/applications/", HH_VIEW, 200, 403),
        ("GET", "/loans/applications/?mine=1", HH_VIEW, 200, 403),
    ],
    "application_detail": [
        ("GET", "/loans/applications/{application}/", HH_VIEW, 200, 403),
        ("GET", "/loans/applications/{application_sibling}/", HH_VIEW - {"village_cadre"}, 200, SIBLING),
    ],
    "application_review": [("POST", "/loans/applications/{application}/review/", REVIEW, 302, 403)],
    "objection_file": [("POST", "/loans/applications/{application}/objections/", OBJECT, 302, 403)],
    "guarantor_new": [("POST", "/loans/applications/{application}/guarantors/", APPLY, 302, 403)],
    "objection_resolve": [("POST", "/loans/objections/{objection}/resolve/", OFFICE, 302, 403)],
    "loan_contract": [("POST", "/loans/applications/{application}/contract/", {"loan_officer"}, 302, 403)],
    # the loan is in the sibling village: out of the first village's cadre's scope
    "loan_detail": [("GET", "/loans/{loan}/", HH_VIEW - {"village_cadre"}, 200, SIBLING)],
    "loan_contract_pdf": [("GET", "/loans/{loan}/contract.pdf", HH_VIEW - {"village_cadre"}, 200, SIBLING)],
    "loan_disburse": [("POST", "/loans/{loan}/disburse/", {"loan_officer", "branch_director"}, 302, 403)],
    "actual_use": [("POST", "/loans/{loan}/uses/", {"loan_officer"}, 302, 403)],
    "loan_repay": [("POST", "/loans/{loan}/repay/", {"loan_officer"}, 302, 403)],
    "repayment_receipt": [
        ("GET", "/loans/repayments/{repayment}/receipt/", HH_VIEW - {"village_cadre"}, 200, SIBLING)
    ],
    "loan_payoff": [("POST", "/loans/{loan}/payoff/", {"loan_officer"}, 302, 403)],
    "loan_prepay": [("POST", "/loans/{loan}/prepay/", {"loan_officer"}, 302, 403)],
    "group_list": [("GET", "/loans/groups/", HH_VIEW, 200, 403), ("POST", "/loans/groups/", APPLY, 302, 403)],
    "group_collect": [
        ("GET", "/loans/groups/{group}/collect/", HH_VIEW, 200, 403),
        ("POST", "/loans/groups/{group}/collect/", {"loan_officer"}, 302, 403),
    ],
    "loan_event_request": [("POST", "/loans/{loan}/events/", {"loan_officer"}, 302, 403)],
    "loan_events": [("GET", "/loans/events/", HH_VIEW, 200, 403)],
    "loan_event_decide": [("POST", "/loans/events/{event}/decide/", APPROVE_EVENT, 302, 403)],
    "cob_runs": [("GET", "/cob/", COB_VIEW, 200, 403)],
    "cob_run": [("POST", "/cob/run/", {"head_office", "sysadmin"}, 302, 403)],
    "collection_list": [("GET", "/cob/collections/", COLLECT, 200, 403)],
    "village_recovery": [("GET", "/cob/villages/", COLLECT, 200, 403)],
    "report_table": [
        ("GET", "/reports/", REPORT, 200, 403),
        ("GET", "/reports/?table=fu2&division={own}&period=2026-11", REPORT, 200, 403),
        ("GET", "/reports/?division={out}", set(), 200, {**{r: 404 for r in REPORT}, "*": 403}),
    ],
    "report_download": [
        ("GET", "/reports/fu3.xlsx?division={own}&period=2026-11", REPORT, 200, 403),
        (
            "GET",
            "/reports/fu8.xlsx?division={out}&period=2026-11",
            set(),
            200,
            {**{r: 404 for r in REPORT}, "*": 403},
        ),
    ],
    "report_indicators": [("GET", "/reports/indicators/?division={own}&period=2026-11", REPORT, 200, 403)],
    "report_rankings": [("GET", "/reports/rankings/?division={own}&period=2026-11", REPORT, 200, 403)],
    "report_warning": [("GET", "/reports/warning/?division={own}", REPORT, 200, 403)],
    "report_simulate": [
        ("GET", "/reports/simulate/?share=0.6", {"poverty_office", "finance_bureau", "auditor"}, 200, 403)
    ],
    "subsidy_overview": [("GET", "/subsidies/", SUB_VIEW, 200, 403)],
    "subsidy_prepare": [("POST", "/subsidies/batches/", PREPARE, 302, 403)],
    "subsidy_batch": [("GET", "/subsidies/batches/{sbatch}/", SUB_VIEW - {"village_cadre"}, 200, NOT_CADRE)],
    "subsidy_review": [("POST", "/subsidies/batches/{sbatch}/review/", OFFICE, 302, 403)],
    "subsidy_confirm": [("POST", "/subsidies/batches/{sbatch}/confirm/", {"finance_bureau"}, 302, 403)],
    "subsidy_pay": [("POST", "/subsidies/batches/{sbatch}/pay/", {"finance_bureau"}, 302, 403)],
    "subsidy_credit": [("POST", "/subsidies/batches/{sbatch}/credit/", PREPARE, 302, 403)],
    "subsidy_announcement": [
        ("GET", "/subsidies/batches/{sbatch}/announcement.xlsx", SUB_VIEW - {"village_cadre"}, 200, NOT_CADRE)
    ],
    "subsidy_register": [
        ("GET", "/subsidies/register/", SUB_VIEW, 200, 403),
        ("GET", "/subsidies/register/?format=xlsx", SUB_VIEW, 200, 403),
    ],
    "riskfund_overview": [("GET", "/riskfund/", RISK_VIEW, 200, 403)],
    "riskfund_create": [("POST", "/riskfund/funds/", {"poverty_office", "finance_bureau"}, 302, 403)],
    "riskfund_contribute": [("POST", "/riskfund/funds/{fund}/contributions/", {"finance_bureau"}, 302, 403)],
    "claim_new": [("GET", "/loans/{loan}/claim/", {"loan_officer"}, 200, NOT_CADRE)],
    # the postal bank's loan to someone not in the registry: no credit-union officer, no cadre reaches it
    "bank_claim_new": [
        (
            "GET",
            "/riskfund/bank-loans/{feedloan}/claim/",
            set(),
            200,
            {"village_cadre": 404, "loan_officer": 404, "*": 403},
        )
    ],
    "claim_detail": [("GET", "/riskfund/claims/{claim}/", CLAIM_VIEW - {"village_cadre"}, 200, NOT_CADRE)],
    "claim_review": [
        ("POST", "/riskfund/claims/{claim}/review/", {"township_cadre", "poverty_office"}, 302, NOT_CADRE)
    ],
    "claim_pay": [("POST", "/riskfund/claims/{claim}/payout/", {"finance_bureau"}, 302, 403)],
    "claim_proof_add": [("POST", "/riskfund/claims/{claim}/proofs/", {"loan_officer"}, 302, NOT_CADRE)],
    "proof_download": [("GET", "/riskfund/proofs/{proof}/", CLAIM_VIEW - {"village_cadre"}, 200, NOT_CADRE)],
    "blacklist_list": [("GET", "/riskfund/blacklist/", HH_VIEW, 200, 403)],
    "blacklist_decide": [
        ("POST", "/households/{hh}/blacklist/", DECIDE, 302, 403),
        ("POST", "/households/{hh_out}/blacklist/", set(), 302, {**{r: 404 for r in DECIDE}, "*": 403}),
    ],
    "blacklist_lift": [("POST", "/riskfund/blacklist/{blacklist}/lift/", DECIDE, 302, 403)],
    "legal_record": [("POST", "/households/{hh}/legal/", LEGAL, 302, 403)],
    "coop_list": [("GET", "/coops/", COOP_VIEW, 200, 403)],
    "coop_export": [("GET", "/coops/export.xlsx", COOP_VIEW, 200, 403)],
    "coop_create": [("POST", "/coops/new/", {"village_cadre"}, 302, 403)],
    "coop_detail": [("GET", "/coops/{coop}/", COOP_VIEW, 200, 403)],
    "coop_member_join": [("POST", "/coops/{coop}/members/", {"village_cadre"}, 302, 403)],
    "coop_capital": [("POST", "/coops/{coop}/capital/", COOP_VIEW, 302, 403)],
    "coop_loan_new": [("POST", "/coops/{coop}/loans/", {"village_cadre"}, 302, 403)],
    "coop_repay": [("POST", "/coops/loans/{coop_loan}/repay/", {"village_cadre"}, 302, 403)],
    "credit_overview": [("GET", "/credit/", CREDIT_REPORT, 200, 403)],
    "credit_import": [("POST", "/credit/import/", CREDIT_RECORD, 422, 403)],
    "credit_template": [("GET", "/credit/template.xlsx", CREDIT_RECORD, 200, 403)],
    "credit_file_import": [("POST", "/credit/files/", {"poverty_office"}, 302, 403)],
    "entity_rate": [("POST", "/credit/entities/", {"poverty_office"}, 302, 403)],
    "consent_revoke": [("POST", "/credit/consents/{consent_spare}/revoke/", CONSENT, 302, 403)],
    "credit_report": [
        ("GET", "/households/{hh}/credit/?purpose=矩阵查询", CREDIT_REPORT, 200, 403),
        ("GET", "/households/{hh_out}/credit/?purpose=矩阵查询", set(), 200, CREDIT_OUT),
    ],
    "credit_report_pdf": [("GET", "/households/{hh}/credit.pdf?purpose=矩阵查询", CREDIT_REPORT, 200, 403)],
    "credit_item_add": [("POST", "/households/{hh}/credit/items/", CREDIT_RECORD, 302, 403)],
    "consent_add": [("POST", "/households/{hh}/credit/consents/", CONSENT, 302, 403)],
    "credit_file_export": [("GET", "/households/{hh}/credit-file.json", {"poverty_office"}, 200, 403)],
    "me": [("GET", "/me/", set(), 200, {"household": 404, "*": 403})],  # the matrix household has no link
    "me_sms": [("POST", "/me/sms/", set(), 302, {"household": 404, "*": 403})],
    "me_login": [("GET", "/me/login/", "public", 200, None)],
    "me_verify": [("POST", "/me/login/verify/", "public", 422, None)],  # no ID number
    "pay_sheet": [
        ("GET", "/pay/?branch=FM001&month=2026-11", PAY, 200, 403),
        ("GET", "/pay/?branch=FM002&month=2026-11", {"head_office", "auditor"}, 200, OTHER_BRANCH),
    ],
    "pay_download": [
        ("GET", "/pay/sheet.xlsx?branch=FM001&month=2026-11", PAY, 200, 403),
        ("GET", "/pay/sheet.pdf?branch=FM002&month=2026-11", {"head_office", "auditor"}, 200, OTHER_BRANCH),
    ],
    "pay_rules": [("GET", "/pay/rules/", PAY, 200, 403)],
    "pay_rules_save": [("POST", "/pay/rules/save/", {"head_office"}, 302, 403)],
    "lead_agreements": [
        ("GET", "/households/{hh}/lead/", HH_VIEW, 200, 403),
        ("POST", "/households/{hh}/lead/", APPLY, 302, 403),
        ("GET", "/households/{hh_out}/lead/", set(), 200, HH_OUT),
    ],
    "notice_list": [("GET", "/loans/notices/", HH_VIEW, 200, 403)],
    "notice_publish": [("POST", "/loans/notices/publish/", {"village_cadre"}, 302, 403)],
    "notice_pdf": [("GET", "/loans/notices/{notice}/notice.pdf", HH_VIEW, 200, 403)],
    "roster_approve": [("POST", "/loans/notices/{notice}/approve/", OFFICE, 302, 403)],
    "quota_list": [("GET", "/loans/quotas/", HH_VIEW, 200, 403)],
    "lender_list": [("GET", "/loans/lenders/", HH_VIEW, 200, 403)],
    "loan_book_import": [("GET", "/loans/imports/", {"head_office"}, 200, 403)],
    "lender_new": [("GET", "/loans/lenders/new/", {"poverty_office", "sysadmin"}, 200, 403)],
    "feed_list": [("GET", "/feeds/", FEEDS, 200, 403)],
    "feed_detail": [("GET", "/feeds/{feed}/", FEEDS - {"head_office", "branch_director"}, 200, FEED_OTHER)],
    "feed_worklist_xlsx": [
        ("GET", "/feeds/{feed}/worklist.xlsx", FEEDS - {"head_office", "branch_director"}, 200, FEED_OTHER)
    ],
    "lender_settings": [
        ("GET", "/loans/lenders/{lender}/", {"poverty_office", "sysadmin", "head_office"}, 200, 403)
    ],
    "loan_book_template": [("GET", "/loans/imports/template.xlsx", {"head_office"}, 200, 403)],
    "quota_set": [("POST", "/loans/quotas/set/", OFFICE, 302, 403)],
    "ledger_trial_balance": [("GET", "/ledger/", LEDGER, 200, 403)],
    "ledger_accounts": [
        ("GET", "/ledger/accounts/", LEDGER, 200, 403),
        ("POST", "/ledger/accounts/", {"head_office"}, 302, 403),
    ],
    "ledger_statement": [("GET", "/ledger/accounts/1301/", LEDGER, 200, 403)],
    "ledger_entry": [
        ("GET", "/ledger/entries/{entry}/", LEDGER, 200, 403),
        (
            "GET",
            "/ledger/entries/{entry_out}/",
            {"head_office", "auditor"},
            200,
            {**{r: 404 for r in LEDGER}, "*": 403},
        ),
    ],
    "ledger_entry_reverse": [("POST", "/ledger/entries/{entry}/reverse/", REVERSE, 302, 403)],
    "user_list": [("GET", "/users/", ADMIN, 200, 403)],
    "user_new": [("GET", "/users/new/", ADMIN, 200, 403)],
    "user_detail": [
        ("GET", "/users/{subject}/", ADMIN, 200, 403),
        ("GET", "/users/{stranger}/", set(), 200, {"sysadmin": 404, "*": 403}),
    ],
    "user_role_add": [("POST", "/users/{subject}/roles/", ADMIN, 302, 403)],
    "role_request_decide": [("POST", "/role-requests/{role_request}/decision/", ADMIN, 302, 403)],
    "password_change": [("GET", "/account/password/", EVERYONE, 200, None)],
    "two_factor": [("GET", "/account/two-factor/", EVERYONE, 200, None)],
    "user_role_revoke": [("POST", "/users/{subject}/roles/{role_a}/revoke/", ADMIN, 302, 403)],
    "user_active": [("POST", "/users/{subject}/active/", ADMIN, 302, 403)],
    "token_list": [("GET", "/tokens/", ADMIN, 200, 403)],
    "token_issue": [("POST", "/tokens/issue/", ADMIN, 302, 403)],
    "token_revoke": [("POST", "/tokens/{token}/revoke/", ADMIN, 302, 403)],
    # the village kit (issue 27 (8)): its service worker and manifest hold no data
    "registry_worklist": [("GET", "/registry/import/{batch}/worklist/", HH_VIEW, 200, 403)],
    # a printed notice's QR code opens a public page; a token the server did not sign opens nothing
    "verify": [("GET", "/v/forged/", "public", 404, None)],
    "verify_code": [("POST", "/v/forged/code/", "public", 404, None)],
    "verify_objection": [("POST", "/v/forged/objection/", "public", 404, None)],
    "field_app": [("GET", "/field/", SCORE, 200, 403)],
    "field_sw": [("GET", "/field/sw.js", "public", 200, None)],
    "field_manifest": [("GET", "/field/manifest.webmanifest", "public", 200, None)],
    "webhook_list": [("GET", "/webhooks/", WEBHOOK, 200, 403)],
    "webhook_detail": [("GET", "/webhooks/{webhook2}/", {"sysadmin"}, 200, WEBHOOK_OUT)],
    "webhook_test": [("POST", "/webhooks/{webhook2}/test/", {"sysadmin"}, 302, WEBHOOK_OUT)],
    "webhook_end": [("POST", "/webhooks/{webhook2}/end/", {"sysadmin"}, 302, WEBHOOK_OUT)],
}
API = {
    ("GET", "/api/v1/me"): [("GET", "/api/v1/me", EVERYONE, 200, 403)],
    # signed in with a session, there is no token to revoke: everyone is told so (409)
    ("DELETE", "/api/v1/auth/token"): [("DELETE", "/api/v1/auth/token", EVERYONE, 409, 403)],
    ("GET", "/api/v1/divisions"): [("GET", "/api/v1/divisions", STAFF, 200, 403)],
    ("GET", "/api/v1/divisions/{code}"): [
        ("GET", "/api/v1/divisions/{own}", STAFF, 200, 403),
        ("GET", "/api/v1/divisions/{out}", set(), 200, {"household": 403, "*": 404}),
    ],
    ("GET", "/api/v1/audit"): [("GET", "/api/v1/audit", AUDIT, 200, 403)],
    ("GET", "/api/v1/tokens"): [("GET", "/api/v1/tokens", STAFF, 200, 403)],
    ("POST", "/api/v1/tokens"): [
        ("POST", "/api/v1/tokens", ADMIN, 201, 403, {"username": "admin", "name": "矩阵"})
    ],
    ("DELETE", "/api/v1/tokens/{token_id}"): [("DELETE", "/api/v1/tokens/{token2}", ADMIN, 200, 403)],
    ("GET", "/api/v1/users"): [("GET", "/api/v1/users", ADMIN, 200, 403)],
    ("GET", "/api/v1/role-requests"): [("GET", "/api/v1/role-requests", ADMIN, 200, 403)],
    ("POST", "/api/v1/role-requests/{request_id}/decision"): [
        (
            "POST",
            "/api/v1/role-requests/{role_request2}/decision",
            ADMIN,
            200,
            403,
            {"approve": False, "reason": "矩阵测试：不予批准"},
        ),
    ],
    ("GET", "/api/v1/households"): [("GET", "/api/v1/households", HH_VIEW, 200, 403)],
    ("GET", "/api/v1/households/{household_id}"): [
        ("GET", "/api/v1/households/{hh}", HH_VIEW, 200, 403),
        ("GET", "/api/v1/households/{hh_out}", set(), 200, HH_OUT),
    ],
    ("POST", "/api/v1/users"): [
        (
            "POST",
            "/api/v1/users",
            ADMIN,
            201,
            403,
            {
                "username": "matrix_new",
                "password": "Matrix#2026pass",
                "role": "village_cadre",
                "division_code": "{village}",
            },
        ),
    ],
    ("POST", "/api/v1/users/{user_id}/roles"): [
        (
            "POST",
            "/api/v1/users/{subject}/roles",
            ADMIN,
            200,
            403,
            {"role": "auditor", "division_code": "{village}"},
        ),
        (
            "POST",
            "/api/v1/users/{stranger}/roles",
            set(),
            200,
            {"sysadmin": 404, "*": 403},
            {"role": "auditor", "division_code": "{village}"},
        ),
    ],
    ("DELETE", "/api/v1/users/{user_id}/roles/{role_id}"): [
        ("DELETE", "/api/v1/users/{subject}/roles/{role_b}", ADMIN, 200, 403),
    ],
    ("POST", "/api/v1/users/{user_id}/active"): [
        ("POST", "/api/v1/users/{subject}/active", ADMIN, 200, 403, {"active": True}),
    ],
}
API.update(
    {
        ("GET", "/api/v1/scorecards"): [("GET", "/api/v1/scorecards", RATING, 200, 403)],
        ("GET", "/api/v1/scorecards/{scorecard_id}"): [
            ("GET", "/api/v1/scorecards/{scorecard}", RATING, 200, 403)
        ],
        ("PUT", "/api/v1/scorecards/{scorecard_id}"): [
            ("PUT", "/api/v1/scorecards/{draft}", OFFICE, 200, 403, {"definition": SCORECARD}),
            (
                "PUT",
                "/api/v1/scorecards/{scorecard}",
                set(),
                200,
                {"poverty_office": 409, "*": 403},
                {"definition": SCORECARD},
            ),
        ],
        ("GET", "/api/v1/scorecards/{scorecard_id}/preview"): [
            ("GET", "/api/v1/scorecards/{draft}/preview", OFFICE, 200, 403)
        ],
        ("POST", "/api/v1/scorecards/{scorecard_id}/publish"): [
            ("POST", "/api/v1/scorecards/{draft}/publish", OFFICE, 200, 403)
        ],
        ("GET", "/api/v1/rating-rounds"): [("GET", "/api/v1/rating-rounds", RATING, 200, 403)],
        # webhooks (issue 26 (6)): the county's administrators; a bank's head office for its own
        # lender (the county's subscription, of every lender, is not its own: 404)
        ("GET", "/api/v1/webhooks"): [("GET", "/api/v1/webhooks", WEBHOOK, 200, 403)],
        ("POST", "/api/v1/webhooks"): [
            (
                "POST",
                "/api/v1/webhooks",
                WEBHOOK,
                201,
                403,
                {
                    "name": "矩阵",
                    "url": "https://matrix.example/hook",
                    "events": ["cob.finished"],
                    "division": "529901000000",
                },
            )
        ],
        ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): [
            ("GET", "/api/v1/webhooks/{webhook}/deliveries", {"sysadmin"}, 200, WEBHOOK_OUT)
        ],
        ("POST", "/api/v1/webhooks/{webhook_id}/test"): [  # nobody listens on port 9: logged, answered
            ("POST", "/api/v1/webhooks/{webhook}/test", {"sysadmin"}, 200, WEBHOOK_OUT)
        ],
        ("DELETE", "/api/v1/webhooks/{webhook_id}"): [
            ("DELETE", "/api/v1/webhooks/{webhook}", {"sysadmin"}, 200, WEBHOOK_OUT)
        ],
        ("GET", "/api/v1/rating-rounds/{round_id}/ratings"): [
            ("GET", "/api/v1/rating-rounds/{round}/ratings", RATING, 200, 403),
            (
                "GET",
                "/api/v1/rating-rounds/{round_sibling}/ratings",
                RATING - {"village_cadre"},
                200,
                SIBLING,
            ),
        ],
        ("GET", "/api/v1/field/kit"): [("GET", "/api/v1/field/kit", SCORE, 200, 403)],
        ("POST", "/api/v1/households/{household_id}/visits"): [
            ("POST", "/api/v1/households/{hh}/visits", SCORE, 201, 403, VISIT),
            (
                "POST",
                "/api/v1/households/{hh_out}/visits",
                set(),
                201,
                {**{r: 404 for r in SCORE}, "*": 403},
                VISIT,
            ),
        ],
        ("GET", "/api/v1/households/{household_id}/visits"): [
            ("GET", "/api/v1/households/{hh}/visits", SMS_VIEW, 200, 403),
            (
                "GET",
                "/api/v1/households/{hh_out}/visits",
                set(),
                200,
                {**{r: 404 for r in SMS_VIEW}, "*": 403},
            ),
        ],
        ("GET", "/api/v1/households/{household_id}/ratings"): [
            ("GET", "/api/v1/households/{hh}/ratings", RATING, 200, 403),
            ("GET", "/api/v1/households/{hh_out}/ratings", set(), 200, HH_OUT),
        ],
        ("GET", "/api/v1/ratings/{rating_id}"): [
            ("GET", "/api/v1/ratings/{rating_open}", RATING, 200, 403),
            ("GET", "/api/v1/ratings/{rating_sibling}", RATING - {"village_cadre"}, 200, SIBLING),
        ],
        ("POST", "/api/v1/ratings/{rating_id}/sheets"): [
            # only the first village's cadre sits on the panel; others who may score are refused
            (
                "POST",
                "/api/v1/ratings/{rating_open}/sheets",
                {"village_cadre"},
                201,
                403,
                {"values": PANEL_VALUES},
            ),
        ],
        ("GET", "/api/v1/households/{household_id}/eligibility"): [
            ("GET", "/api/v1/households/{hh}/eligibility", HH_VIEW, 200, 403),
            ("GET", "/api/v1/households/{hh_out}/eligibility", set(), 200, HH_OUT),
        ],
        ("POST", "/api/v1/households/{household_id}/exclusions"): [
            (
                "POST",
                "/api/v1/households/{hh}/exclusions",
                EXCLUDE,
                201,
                403,
                {"code": "idle", "reason": "好逸恶劳，经核实"},
            ),
            (
                "POST",
                "/api/v1/households/{hh_out}/exclusions",
                set(),
                201,
                {**{r: 404 for r in EXCLUDE}, "*": 403},
                {"code": "idle", "reason": "好逸恶劳，经核实"},
            ),
        ],
        ("GET", "/api/v1/unborrowed"): [("GET", "/api/v1/unborrowed", HH_VIEW, 200, 403)],
    }
)
API.update(
    {
        ("GET", "/api/v1/ledger/trial-balance"): [("GET", "/api/v1/ledger/trial-balance", LEDGER, 200, 403)],
        ("GET", "/api/v1/ledger/entries/{entry_id}"): [
            ("GET", "/api/v1/ledger/entries/{entry}", LEDGER, 200, 403),
            (
                "GET",
                "/api/v1/ledger/entries/{entry_out}",
                {"head_office", "auditor"},
                200,
                {**{r: 404 for r in LEDGER}, "*": 403},
            ),
        ],
        ("POST", "/api/v1/ledger/entries/{entry_id}/reversal"): [
            (
                "POST",
                "/api/v1/ledger/entries/{entry2}/reversal",
                REVERSE,
                201,
                403,
                {"reason": "金额录错，冲正"},
            ),
        ],
    }
)
API.update(
    {
        ("POST", "/api/v1/applications"): [
            # the household is not rated in this fixture: the roles that may apply get its reasons (422)
            (
                "POST",
                "/api/v1/applications",
                APPLY,
                422,
                403,
                {
                    "household_id": "{hh_int}",
                    "product": "subsidy",
                    "purpose": "crops",
                    "project": "种植烤烟",
                    "amount": "5000.00",
                    "term": 12,
                },
            ),
        ],
        ("GET", "/api/v1/applications"): [("GET", "/api/v1/applications", HH_VIEW, 200, 403)],
        ("GET", "/api/v1/applications/{application_id}"): [
            ("GET", "/api/v1/applications/{application}", HH_VIEW, 200, 403),
            ("GET", "/api/v1/applications/{application_sibling}", HH_VIEW - {"village_cadre"}, 200, SIBLING),
        ],
        ("GET", "/api/v1/applications/{application_id}/guarantors"): [
            ("GET", "/api/v1/applications/{application}/guarantors", HH_VIEW, 200, 403),
        ],
        ("POST", "/api/v1/applications/{application_id}/guarantors"): [
            # a guarantor under age: refused with the reasons (422) to those who prepare applications
            (
                "POST",
                "/api/v1/applications/{application}/guarantors",
                APPLY,
                422,
                403,
                {
                    "kind": "shop_owner",
                    "name": "未成年",
                    "id_number": "530322201501010012",
                    "consent_on": "2026-11-01",
                },
            ),
        ],
        ("POST", "/api/v1/applications/{application_id}/review"): [
            # a rejection with reasons: every role that takes some step may reject the one waiting for it
            (
                "POST",
                "/api/v1/applications/{application2}/review",
                {"village_cadre", "loan_officer"},
                200,
                {**{r: 403 for r in REVIEW}, "*": 403},
                {"approve": False, "reason": "项目不具备条件"},
            ),
        ],
        ("POST", "/api/v1/applications/{application_id}/contract"): [
            (
                "POST",
                "/api/v1/applications/{application}/contract",
                {"loan_officer"},
                409,
                403,
            ),  # not approved yet
        ],
        ("GET", "/api/v1/loans/{loan_id}"): [
            ("GET", "/api/v1/loans/{loan}", HH_VIEW - {"village_cadre"}, 200, SIBLING)
        ],
        ("GET", "/api/v1/loans"): [("GET", "/api/v1/loans", HH_VIEW, 200, 403)],
        ("GET", "/api/v1/products"): [("GET", "/api/v1/products", HH_VIEW, 200, 403)],
        ("GET", "/api/v1/loans/{loan_id}/schedule"): [
            ("GET", "/api/v1/loans/{loan}/schedule", HH_VIEW - {"village_cadre"}, 200, SIBLING)
        ],
        ("POST", "/api/v1/loans/{loan_id}/disbursement"): [
            # the contract's disbursement date has passed: refused with the reason
            ("POST", "/api/v1/loans/{loan}/disbursement", {"loan_officer", "branch_director"}, 409, SIBLING),
        ],
        ("POST", "/api/v1/loans/{loan_id}/repayments"): [
            # the matrix loan is contracted, not yet paid out: the officer is refused with the reason (409)
            (
                "POST",
                "/api/v1/loans/{loan}/repayments",
                {"loan_officer"},
                409,
                {"village_cadre": 404, "*": 403},
                {"amount": "100.00", "idempotency_key": "matrix-key-0001"},
            ),
        ],
        ("POST", "/api/v1/loans/{loan_id}/payoff"): [
            (
                "POST",
                "/api/v1/loans/{loan}/payoff",
                {"loan_officer"},
                409,
                {"village_cadre": 404, "*": 403},
                {"idempotency_key": "matrix-payoff-01"},
            ),
        ],
        ("POST", "/api/v1/loans/{loan_id}/prepayments"): [
            (
                "POST",
                "/api/v1/loans/{loan}/prepayments",
                {"loan_officer"},
                409,
                {"village_cadre": 404, "*": 403},
                {"amount": "100.00", "method": "reduce", "idempotency_key": "matrix-prepay-01"},
            ),
        ],
        ("GET", "/api/v1/groups"): [("GET", "/api/v1/groups", HH_VIEW, 200, 403)],
        ("POST", "/api/v1/groups"): [
            # the household is not eligible here: its reasons come back (422) to those who may form groups
            (
                "POST",
                "/api/v1/groups",
                APPLY,
                422,
                403,
                {"village_code": "{village}", "leader_id": "{hh_int}", "household_ids": ["{hh_int}"]},
            ),
        ],
        ("POST", "/api/v1/households/{household_id}/lead-agreements"): [
            # the driven household is itself: refused with the reason (422)
            (
                "POST",
                "/api/v1/households/{hh}/lead-agreements",
                APPLY,
                422,
                403,
                {"driven_id": "{hh_int}", "terms": "吸纳务工"},
            ),
        ],
        ("POST", "/api/v1/loans/{loan_id}/actual-uses"): [
            (
                "POST",
                "/api/v1/loans/{loan}/actual-uses",
                {"loan_officer"},
                201,
                {"village_cadre": 404, "*": 403},
                {"household_id": "{hh_sibling}", "amount": "1000.00"},
            ),
        ],
        ("POST", "/api/v1/applications/{application_id}/objections"): [
            (
                "POST",
                "/api/v1/applications/{application}/objections",
                OBJECT,
                409,
                403,
                {"text": "该户实际已外出务工"},
            ),
        ],
        ("GET", "/api/v1/cob/runs"): [("GET", "/api/v1/cob/runs", COB_VIEW, 200, 403)],
        ("GET", "/api/v1/collections"): [("GET", "/api/v1/collections", COLLECT, 200, 403)],
        ("GET", "/api/v1/villages/recovery"): [("GET", "/api/v1/villages/recovery", COLLECT, 200, 403)],
        ("GET", "/api/v1/loans/{loan_id}/events"): [
            ("GET", "/api/v1/loans/{loan}/events", HH_VIEW - {"village_cadre"}, 200, SIBLING)
        ],
        ("POST", "/api/v1/loans/{loan_id}/events"): [
            # the matrix loan is not paid out: the officer is refused with the reason (409)
            (
                "POST",
                "/api/v1/loans/{loan}/events",
                {"loan_officer"},
                409,
                {"village_cadre": 404, "*": 403},
                {"kind": "extension", "reason": "农户申请展期", "new_maturity": "2030-01-01"},
            ),
        ],
        ("POST", "/api/v1/loan-events/{event_id}/decision"): [
            ("POST", "/api/v1/loan-events/{event}/decision", APPROVE_EVENT, 409, 403, {"approve": True}),
        ],
        ("POST", "/api/v1/groups/{group_id}/collection"): [
            (
                "POST",
                "/api/v1/groups/{group}/collection",
                {"loan_officer"},
                201,
                403,
                {"week_of": "2026-11-23", "idempotency_key": "matrix-sheet-01", "lines": []},
            ),
        ],
    }
)
API.update(
    {
        ("GET", "/api/v1/subsidies/policies"): [("GET", "/api/v1/subsidies/policies", SUB_VIEW, 200, 403)],
        ("POST", "/api/v1/subsidies/policies"): [  # that version exists: refused with the reason
            (
                "POST",
                "/api/v1/subsidies/policies",
                OFFICE,
                409,
                403,
                {
                    "code": "S-HALF",
                    "version": "2016.1",
                    "kind": "half",
                    "name": "按时还款贴息",
                    "effective": "2016-01-01",
                    "products": ["annual"],
                },
            )
        ],
        ("GET", "/api/v1/subsidies/batches"): [("GET", "/api/v1/subsidies/batches", SUB_VIEW, 200, 403)],
        ("GET", "/api/v1/reports/tables/{table}"): [
            ("GET", "/api/v1/reports/tables/fu3?division={own}&period=2026-11", REPORT, 200, 403),
            (
                "GET",
                "/api/v1/reports/tables/fu2?division={out}&period=2026-11",
                set(),
                200,
                {**{r: 404 for r in REPORT}, "*": 403},
            ),
        ],
        ("GET", "/api/v1/reports/indicators"): [
            ("GET", "/api/v1/reports/indicators?division={own}&period=2026-11", REPORT, 200, 403)
        ],
        ("GET", "/api/v1/reports/rankings"): [
            ("GET", "/api/v1/reports/rankings?division={own}&period=2026-11", REPORT, 200, 403)
        ],
        ("POST", "/api/v1/subsidies/batches"): [
            # nothing to claim in the first village: refused with the reason (409) to those who prepare
            (
                "POST",
                "/api/v1/subsidies/batches",
                PREPARE,
                409,
                403,
                {"policy_id": "{policy}", "division_code": "{village}", "cutoff": "2026-11-01"},
            ),
        ],
        ("GET", "/api/v1/subsidies/batches/{batch_id}"): [
            ("GET", "/api/v1/subsidies/batches/{sbatch}", SUB_VIEW - {"village_cadre"}, 200, NOT_CADRE)
        ],
        ("POST", "/api/v1/subsidies/batches/{batch_id}/review"): [
            (
                "POST",
                "/api/v1/subsidies/batches/{sbatch}/review",
                OFFICE,
                200,
                NOT_CADRE,
                {"approve": False, "note": "材料不全，退回"},
            ),
        ],
        ("POST", "/api/v1/subsidies/batches/{batch_id}/confirm"): [  # not reviewed yet
            ("POST", "/api/v1/subsidies/batches/{sbatch2}/confirm", {"finance_bureau"}, 409, NOT_CADRE)
        ],
        ("POST", "/api/v1/subsidies/batches/{batch_id}/payment"): [
            (
                "POST",
                "/api/v1/subsidies/batches/{sbatch2}/payment",
                {"finance_bureau"},
                409,
                NOT_CADRE,
                {"payment_ref": "矩阵001"},
            )
        ],
        ("POST", "/api/v1/subsidies/batches/{batch_id}/credit"): [
            ("POST", "/api/v1/subsidies/batches/{sbatch2}/credit", PREPARE, 409, NOT_CADRE)
        ],
        ("GET", "/api/v1/subsidies/lines"): [("GET", "/api/v1/subsidies/lines", SUB_VIEW, 200, 403)],
        ("GET", "/api/v1/subsidies/receivable"): [
            ("GET", "/api/v1/subsidies/receivable", SUB_VIEW, 200, 403)
        ],
        ("GET", "/api/v1/risk-funds"): [("GET", "/api/v1/risk-funds", RISK_VIEW, 200, 403)],
        ("POST", "/api/v1/risk-funds"): [  # the county has its fund already
            (
                "POST",
                "/api/v1/risk-funds",
                {"poverty_office", "finance_bureau"},
                409,
                403,
                {"county_code": "529901000000"},
            )
        ],
        ("POST", "/api/v1/risk-funds/{fund_id}/contributions"): [
            (
                "POST",
                "/api/v1/risk-funds/{fund}/contributions",
                {"finance_bureau"},
                201,
                403,
                {"source": "省财政", "amount": "100.00"},
            )
        ],
        ("GET", "/api/v1/fund-claims"): [("GET", "/api/v1/fund-claims", CLAIM_VIEW, 200, 403)],
        ("POST", "/api/v1/fund-claims"): [  # the matrix loan is not paid out: refused with the reason
            (
                "POST",
                "/api/v1/fund-claims",
                {"loan_officer"},
                409,
                NOT_CADRE,
                {"loan_id": "{loan}", "cause": "illness", "description": "户主重病，无力偿还"},
            )
        ],
        ("GET", "/api/v1/fund-claims/{claim_id}"): [
            ("GET", "/api/v1/fund-claims/{claim}", CLAIM_VIEW - {"village_cadre"}, 200, NOT_CADRE)
        ],
        ("POST", "/api/v1/fund-claims/{claim_id}/proofs"): [
            (
                "POST",
                "/api/v1/fund-claims/{claim}/proofs",
                {"loan_officer"},
                201,
                NOT_CADRE,
                {"name": "proof.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQK"},
            )
        ],
        ("POST", "/api/v1/fund-claims/{claim_id}/review"): [  # the village has reviewed: the township's turn
            (
                "POST",
                "/api/v1/fund-claims/{claim}/review",
                {"township_cadre"},
                200,
                NOT_CADRE,
                {"approve": True},
            )
        ],
        ("POST", "/api/v1/fund-claims/{claim_id}/payout"): [
            (
                "POST",
                "/api/v1/fund-claims/{claim}/payout",
                {"finance_bureau"},
                409,
                NOT_CADRE,
                {"insurance": "0"},
            )
        ],
        ("GET", "/api/v1/blacklist"): [("GET", "/api/v1/blacklist", HH_VIEW, 200, 403)],
        ("POST", "/api/v1/households/{household_id}/blacklist"): [
            (
                "POST",
                "/api/v1/households/{hh}/blacklist",
                DECIDE,
                201,
                403,
                {"reason": "有能力还款而拒不还款", "decision_no": "矩阵1号"},
            ),
            (
                "POST",
                "/api/v1/households/{hh_out}/blacklist",
                set(),
                201,
                {**{r: 404 for r in DECIDE}, "*": 403},
                {"reason": "有能力还款而拒不还款", "decision_no": "矩阵1号"},
            ),
        ],
        ("POST", "/api/v1/blacklist/{blacklist_id}/lift"): [
            (
                "POST",
                "/api/v1/blacklist/{blacklist}/lift",
                DECIDE,
                200,
                403,
                {"reason": "已还清欠款，经复核撤销"},
            )
        ],
        ("POST", "/api/v1/households/{household_id}/legal-actions"): [
            (
                "POST",
                "/api/v1/households/{hh}/legal-actions",
                LEGAL,
                201,
                403,
                {"kind": "demand", "on": "2026-11-01", "note": "发催收函一份"},
            )
        ],
        ("GET", "/api/v1/coops"): [("GET", "/api/v1/coops", COOP_VIEW, 200, 403)],
        ("GET", "/api/v1/coops/{coop_id}"): [("GET", "/api/v1/coops/{coop}", COOP_VIEW, 200, 403)],
        ("POST", "/api/v1/coops"): [  # the village has its cooperative already
            (
                "POST",
                "/api/v1/coops",
                {"village_cadre"},
                409,
                403,
                {"village_code": "{village}", "max_amount": "5000", "max_term": 12, "fee_rate": "0.06"},
            )
        ],
        ("POST", "/api/v1/coops/{coop_id}/members"): [  # already a member
            ("POST", "/api/v1/coops/{coop}/members", {"village_cadre"}, 409, 403, {"household_id": "{hh}"})
        ],
        ("POST", "/api/v1/coops/{coop_id}/capital"): [
            (
                "POST",
                "/api/v1/coops/{coop}/capital",
                {"poverty_office", "finance_bureau"},
                201,
                403,
                {"kind": "government", "amount": "100.00"},
            )
        ],
        (
            "POST",
            "/api/v1/coops/{coop_id}/loans",
        ): [  # the member owes a loan already: refused with the reasons
            (
                "POST",
                "/api/v1/coops/{coop}/loans",
                {"village_cadre"},
                422,
                403,
                {
                    "member_id": "{coop_member}",
                    "amount": "100",
                    "term": 3,
                    "purpose": "养鸡",
                    "decision": "纪要",
                },
            )
        ],
        ("GET", "/api/v1/coops/{coop_id}/loans"): [
            ("GET", "/api/v1/coops/{coop}/loans", COOP_VIEW, 200, 403)
        ],
        ("POST", "/api/v1/coop-loans/{loan_id}/repayments"): [
            (
                "POST",
                "/api/v1/coop-loans/{coop_loan}/repayments",
                {"village_cadre"},
                201,
                403,
                {"amount": "1.00", "idempotency_key": "matrix-coop-0001"},
            )
        ],
        ("GET", "/api/v1/households/{household_id}/credit-report"): [
            ("GET", "/api/v1/households/{hh}/credit-report?purpose=矩阵查询", CREDIT_REPORT, 200, 403),
            ("GET", "/api/v1/households/{hh_out}/credit-report?purpose=矩阵查询", set(), 200, CREDIT_OUT),
        ],
        ("POST", "/api/v1/households/{household_id}/credit-items"): [
            (
                "POST",
                "/api/v1/households/{hh}/credit-items",
                CREDIT_RECORD,
                201,
                403,
                {
                    "category": "economic",
                    "name": "耕地",
                    "value": "5 亩",
                    "source": "县农业农村局",
                    "on": "2026-01-01",
                },
            )
        ],
        ("POST", "/api/v1/credit-items/import"): [  # not an xlsx: refused with the reason
            (
                "POST",
                "/api/v1/credit-items/import",
                CREDIT_RECORD,
                422,
                403,
                {"source": "县民政局", "file_name": "a.xlsx", "content_base64": "AAAA"},
            )
        ],
        ("GET", "/api/v1/households/{household_id}/consents"): [
            ("GET", "/api/v1/households/{hh}/consents", CONSENT | CREDIT_VIEW, 200, 403)
        ],
        ("POST", "/api/v1/households/{household_id}/consents"): [
            (
                "POST",
                "/api/v1/households/{hh}/consents",
                CONSENT,
                201,
                403,
                {
                    "institution": "FM000",
                    "document_no": "矩阵授权",
                    "granted_on": "2026-11-01",
                    "expires_on": "2027-11-01",
                },
            )
        ],
        ("POST", "/api/v1/consents/{consent_id}/revoke"): [
            ("POST", "/api/v1/consents/{consent_api}/revoke", CONSENT, 200, 403)
        ],
        ("GET", "/api/v1/credit-queries"): [
            ("GET", "/api/v1/credit-queries", {"poverty_office", "auditor"}, 200, 403)
        ],
        ("GET", "/api/v1/households/{household_id}/credit-file"): [
            ("GET", "/api/v1/households/{hh}/credit-file", {"poverty_office"}, 200, 403)
        ],
        ("POST", "/api/v1/credit-files"): [  # no household in the file
            (
                "POST",
                "/api/v1/credit-files",
                {"poverty_office"},
                422,
                403,
                {"format": "fupin-credit-file/1", "households": []},
            )
        ],
        ("GET", "/api/v1/entity-ratings"): [("GET", "/api/v1/entity-ratings", CREDIT_VIEW, 200, 403)],
        ("POST", "/api/v1/entity-ratings"): [
            (
                "POST",
                "/api/v1/entity-ratings",
                {"poverty_office"},
                201,
                403,
                {"kind": "lead", "household_id": "{hh}", "output": 100000},
            )
        ],
        # the registry over JSON (issue 26 (3)): a wrong ID number or a household left without its
        # head is refused with the problem and writes nothing; the bank's name is a real change
        ("POST", "/api/v1/households"): [
            (
                "POST",
                "/api/v1/households",
                IMPORT,
                422,
                403,
                BAD_HOUSEHOLD,
            )
        ],
        ("PUT", "/api/v1/households/{household_id}"): [
            (
                "PUT",
                "/api/v1/households/{hh}",
                IMPORT,
                422,
                403,
                BAD_HOUSEHOLD,
            )
        ],
        ("PATCH", "/api/v1/households/{household_id}"): [
            ("PATCH", "/api/v1/households/{hh}", IMPORT, 200, 403, {"bank_name": "矩阵银行"}),
            ("PATCH", "/api/v1/households/{hh_out}", set(), 200, {**{r: 404 for r in IMPORT}, "*": 403}, {}),
        ],
        ("POST", "/api/v1/households/{household_id}/members"): [
            (
                "POST",
                "/api/v1/households/{hh}/members",
                IMPORT,
                422,
                403,
                {"name": "矩阵", "id_number": "522601199001011230", "relationship": "之子"},
            )
        ],
        ("PATCH", "/api/v1/households/{household_id}/members/{person_id}"): [
            ("PATCH", "/api/v1/households/{hh}/members/{hh_head}", IMPORT, 200, 403, {"education": "初中"}),
        ],
        ("DELETE", "/api/v1/households/{household_id}/members/{person_id}"): [
            ("DELETE", "/api/v1/households/{hh}/members/{hh_head}", IMPORT, 422, 403),
        ],
        ("POST", "/api/v1/households/imports"): [  # not an xlsx: refused with the problem, nothing imported
            (
                "POST",
                "/api/v1/households/imports",
                IMPORT,
                422,
                403,
                {"file_name": "a.xlsx", "content_base64": "AAAA"},
            )
        ],
        # the county must name the bank; the union's head office books here and sends no file
        ("POST", "/api/v1/feeds"): [
            (
                "POST",
                "/api/v1/feeds",
                {"poverty_office"},
                422,
                {"head_office": 409, "*": 403},
                {"month": "2026-10", "loans_file_name": "a.xlsx", "loans_base64": "AAAA"},
            )
        ],
        ("GET", "/api/v1/feeds"): [("GET", "/api/v1/feeds", FEEDS, 200, 403)],
        ("GET", "/api/v1/feeds/{feed_id}/worklist"): [
            (
                "GET",
                "/api/v1/feeds/{feed}/worklist",
                FEEDS - {"head_office", "branch_director"},
                200,
                FEED_OTHER,
            )
        ],
        ("POST", "/api/v1/loan-imports"): [  # the system has closed no day: the cut-over must be given
            (
                "POST",
                "/api/v1/loan-imports",
                {"head_office"},
                422,
                403,
                {"file_name": "a.xlsx", "content_base64": "AAAA"},
            )
        ],
        ("GET", "/api/v1/households/imports/{batch_id}"): [
            ("GET", "/api/v1/households/imports/{batch}", {"poverty_office"}, 200, BATCH_REFUSED)
        ],
        ("GET", "/api/v1/notices"): [("GET", "/api/v1/notices", HH_VIEW, 200, 403)],
        ("POST", "/api/v1/notices"): [  # no such application to post
            ("POST", "/api/v1/notices", {"village_cadre"}, 422, 403, {"application_ids": [999999]})
        ],
        ("POST", "/api/v1/notices/{notice_id}/approval"): [
            ("POST", "/api/v1/notices/{notice}/approval", OFFICE, 200, 403)
        ],
        ("GET", "/api/v1/quotas"): [("GET", "/api/v1/quotas", HH_VIEW, 200, 403)],
        ("POST", "/api/v1/quotas"): [
            (
                "POST",
                "/api/v1/quotas",
                OFFICE,
                200,
                403,
                {"township_code": "529901001000", "year": 2026, "amount": "100000"},
            )
        ],
        ("POST", "/api/v1/cob/runs"): [("POST", "/api/v1/cob/runs", {"head_office", "sysadmin"}, 200, 403)],
        ("GET", "/api/v1/ledger/accounts"): [("GET", "/api/v1/ledger/accounts", LEDGER, 200, 403)],
        ("POST", "/api/v1/ledger/accounts"): [
            (
                "POST",
                "/api/v1/ledger/accounts",
                {"head_office"},
                200,
                403,
                {"code": "6999", "name": "矩阵科目", "kind": "expense"},
            )
        ],
        ("GET", "/api/v1/panels"): [("GET", "/api/v1/panels", RATING, 200, 403)],
        ("POST", "/api/v1/panels"): [
            (
                "POST",
                "/api/v1/panels",
                ORGANISE,
                201,
                403,
                {
                    "village_code": "{village}",
                    "name": "矩阵小组",
                    "members": [{"user_id": "{subject}", "seat": "representative"}],
                },
            )
        ],
        ("POST", "/api/v1/rating-rounds"): [  # the household is in the village's open round already
            (
                "POST",
                "/api/v1/rating-rounds",
                ORGANISE,
                409,
                403,
                {
                    "village_code": "{village}",
                    "panel_id": "{panel}",
                    "scorecard_id": "{scorecard}",
                    "year": 2026,
                    "household_ids": ["{hh_int}"],
                },
            )
        ],
        ("POST", "/api/v1/rating-rounds/{round_id}/signature"): [
            ("POST", "/api/v1/rating-rounds/{round}/signature", {"village_cadre"}, 409, 403)
        ],  # only its panel signs
        ("POST", "/api/v1/rating-rounds/{round_id}/decision"): [
            (
                "POST",
                "/api/v1/rating-rounds/{round}/decision",
                {"township_cadre", "poverty_office"},
                409,
                403,
                {"approve": True},
            )
        ],
        ("PUT", "/api/v1/me/sms"): [
            ("PUT", "/api/v1/me/sms", set(), 200, {"household": 404, "*": 403}, {"receive": False})
        ],
        ("GET", "/api/v1/sms/messages"): [("GET", "/api/v1/sms/messages", SMS_VIEW, 200, 403)],
        ("GET", "/api/v1/me/household"): [
            ("GET", "/api/v1/me/household", set(), 200, {"household": 404, "*": 403})
        ],
        ("GET", "/api/v1/officer-pay"): [
            ("GET", "/api/v1/officer-pay?branch=FM001&month=2026-11", PAY, 200, 403),
            (
                "GET",
                "/api/v1/officer-pay?branch=FM002&month=2026-11",
                {"head_office", "auditor"},
                200,
                OTHER_BRANCH,
            ),
        ],
        ("GET", "/api/v1/officer-pay/rules"): [("GET", "/api/v1/officer-pay/rules", PAY, 200, 403)],
        ("POST", "/api/v1/officer-pay/rules"): [
            (
                "POST",
                "/api/v1/officer-pay/rules",
                {"head_office"},
                201,
                403,
                {"valid_from": "2026-12-01", "bands": []},
            )
        ],
    }
)
# writes that change nothing in the matrix (so no audit row is due): a collection sheet with no amounts;
# the close of business, yesterday being closed by the page's run just before
NO_CHANGE = {"/api/v1/groups/{group}/collection", "/api/v1/cob/runs"}
PUBLIC_API = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}
# signing in is open to anyone; a body that signs nobody in is refused (issue 26)
SIGN_IN = {
    ("POST", "/api/v1/auth/token"): ({"username": "nobody", "password": "x"}, 401),
    ("POST", "/api/v1/auth/household/code"): ({"id_number": "1"}, 422),
    ("POST", "/api/v1/auth/household/token"): ({"id_number": "1", "code": "000000"}, 422),
}


def own_division(world, role: str) -> str:
    ra = world.user(role).roles.select_related("branch").first()
    if ra.branch is not None:
        return ra.branch.coverage.first().code
    return ra.division_id


def expand(template, world, role: str, ids: dict):
    if isinstance(template, dict):
        return {k: expand(v, world, role, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [expand(v, world, role, ids) for v in template]
    if not isinstance(template, str):
        return template
    own = own_division(world, role) if role != "anonymous" else world.village
    return template.format(own=own, out=OTHER_VILLAGE, village=world.village, **ids)


def request(client, method: str, url: str, body=None):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if method == "PUT":
        return client.put(url, body or {}, content_type="application/json")
    if method == "PATCH":
        return client.patch(url, body or {}, content_type="application/json")
    if url.startswith("/api/"):
        return client.post(
            url, body or {"username": "xindai", "name": "矩阵"}, content_type="application/json"
        )
    return client.post(url, {"username": "xindai", "name": "矩阵", "language": "en"})


def expected(role: str, allowed, ok: int, refused) -> int:
    if allowed == "public":
        return ok
    if role in allowed:
        return ok
    if isinstance(refused, dict):
        return refused.get(role, refused["*"])
    return refused


def _households(world, tmp_path) -> tuple[int, int, int]:
    """One household in the first village (in every demo role's scope but the other
    township's) and one in the neighbouring county; and the county import batch."""
    from fupin.households.importer import registry_import
    from fupin.households.models import Household
    from tests.registry_files import TEMPLATE, template_rows, write_xlsx

    path = write_xlsx(
        tmp_path / "m.xlsx",
        TEMPLATE,
        template_rows(world.village, 1) + template_rows(OTHER_VILLAGE, 1, seed=9),
    )
    batch = registry_import(acting_user=None, path=path, file_name="m.xlsx")
    batch.division_code = "529901000000"
    batch.save()
    hh = Household.objects.get(village_id=world.village).pk
    out = Household.objects.get(village_id=OTHER_VILLAGE).pk
    return hh, out, batch.pk


@pytest.fixture
def ids(world, tmp_path) -> dict:
    from fupin.accounts.services import role_assign, token_issue, user_create

    issue = lambda: token_issue(acting_user=None, user=world.user("loan_officer"), name="m")[0].pk  # noqa: E731
    subject = user_create(acting_user=None, username="subject", password="x", check_password=False)
    role_assign(acting_user=None, user=subject, role="village_cadre", division_code=world.village)
    a = role_assign(acting_user=None, user=subject, role="village_cadre", division_code=world.sibling_village)
    b = role_assign(acting_user=None, user=subject, role="village_cadre", division_code=world.other_village)
    stranger = user_create(acting_user=None, username="stranger", password="x", check_password=False)
    role_assign(acting_user=None, user=stranger, role="village_cadre", division_code=OTHER_VILLAGE)
    # money roles the second administrator asked for: the first decides them
    asked = [
        role_assign(acting_user=world.users["admin2"], user=subject, role=r, division_code="529901000000").pk
        for r in ("finance_bureau", "poverty_office")
    ]
    hh, hh_out, batch = _households(world, tmp_path)
    parts = [
        {
            "token": issue(),
            "token2": issue(),
            "subject": subject.pk,
            "role_a": a.pk,
            "role_b": b.pk,
            "stranger": stranger.pk,
            "hh": hh,
            "hh_out": hh_out,
            "hh_head": Person.objects.get(household_id=hh, is_head=True, left_on__isnull=True).pk,
            "webhook": _subscription(world),
            "webhook2": _subscription(world),
            "batch": batch,
            "lender": Institution.objects.get(code="FM000").pk,  # the head office user's own
            "feed": (feed := _feed(world, tmp_path)),
            "feedloan": FeedLoan.objects.get(feed_id=feed).pk,
            "role_request": asked[0],
            "role_request2": asked[1],
        },
        _ratings(world, tmp_path, hh),
        _ledger(world),
        loans := _loans(world, hh),
        _subsidies(world, hh, loans),
        _coops(world, hh),
        _credit(world, hh),
    ]
    names = [k for part in parts for k in part]
    assert len(names) == len(set(names)), "two fixtures name the same id"
    return {k: v for part in parts for k, v in part.items()}


def _feed(world, tmp_path) -> int:
    """A month of the postal bank's data: none of the credit union's staff may see it."""
    import datetime as dt

    from fupin.core.feeds import LOAN_COLUMNS
    from fupin.core.idcard import check_character
    from fupin.feeds.services import feed_import
    from tests.registry_files import write_xlsx

    Institution.objects.filter(code="PSBC00").update(own_core=True)  # it sends its months
    number = "11010519491231001" + check_character("11010519491231001")
    row = ["YC1", "某人", number, "", "2026-03-10", "2029-03-10", 1000, "", 1000, "", "", ""]
    path = write_xlsx(tmp_path / "feed.xlsx", [c.header for c in LOAN_COLUMNS], [row])
    out = feed_import(
        acting_user=None,
        institution="PSBC00",
        month=dt.date(2026, 10, 1),
        loans_path=path,
        loans_name="feed.xlsx",
    )
    assert out.state == "imported", out.problems
    return out.feed


def _loans(world, hh: int) -> dict:
    """Applications made directly (the household has no rating here): one in the first village,
    one to be rejected through the API, one in the sibling village; a notice and an objection."""
    import datetime as dt

    from fupin.households.models import Household
    from fupin.loans.models import Application, Notice, Objection

    first = Household.objects.get(pk=hh)
    sibling = Household.objects.filter(village_id=world.sibling_village).first()

    def make(household, **kw):
        return Application.objects.create(
            household=household,
            village_code=household.village_id,
            institution=lenders_of(household.village_id)[0],
            product="subsidy",
            product_version="2026.1",
            purpose="crops",
            project="种植",
            amount=500_000,
            term=12,
            created_by=world.user("loan_officer"),
            **kw,
        )

    notice = Notice.objects.create(
        village_id=world.village, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 7)
    )
    app = make(first, notice=notice)
    objection = Objection.objects.create(
        application=app, village_code=world.village, text="异议", filed_by=world.user("village_cadre")
    )
    from fupin.core.products import preset
    from fupin.core.schedule.terms import terms_to_dict
    from fupin.loans.models import Installment, Loan

    start = dt.date.today() - dt.timedelta(days=1)
    terms = preset("subsidy").terms(principal=500_000, start=start, term=12)
    contracted = make(sibling, state="contracted")
    loan = Loan.objects.create(
        application=contracted,
        household=sibling,
        village_code=sibling.village_id,
        institution_id=contracted.institution_id,
        contract_no="FPMATRIX",
        product="subsidy",
        product_version="2026.1",
        principal=500_000,
        terms=terms_to_dict(terms),
        start=start,
        maturity=start + dt.timedelta(days=365),
        nominal_rate="0.03",
        apr="0.03",
        ear="0.0304",
        contracted_by=world.user("loan_officer"),
    )
    Installment.objects.create(
        loan=loan,
        seq=1,
        due_date=loan.maturity,
        principal=500_000,
        interest=15_000,
        period_start=start,
        pd_from=loan.maturity,
    )
    from fupin.core.ledger import Posting as P
    from fupin.ledger.services import entry_post
    from fupin.loans.models import Group, LoanEvent, Repayment

    paid = Repayment.objects.create(  # a repayment on it, for its receipt
        loan=loan,
        key="matrix-receipt",
        amount=15_000,
        received_on=start,
        allocation=[["current_interest", 1, 15_000]],
        entry=entry_post(
            acting_user=None,
            date=start,
            memo="收息",
            division_code=sibling.village_id,
            institution=contracted.institution_id,
            postings=[P("1011", debit=15_000), P("6011", credit=15_000)],
        ),
        village_code=sibling.village_id,
        created_by=world.user("loan_officer"),
    )
    group = Group.objects.create(
        village_id=world.village, name="矩阵小组", leader=first, created_by=world.user("village_cadre")
    )
    event = LoanEvent.objects.create(
        loan=loan,
        kind="extension",
        reason="矩阵",
        village_code=loan.village_code,
        requested_by=world.user("loan_officer"),
    )
    return {
        "application": app.pk,
        "application2": make(first).pk,
        "application_sibling": make(sibling).pk,
        "notice": notice.pk,
        "objection": objection.pk,
        "hh_int": hh,
        "loan": loan.pk,
        "repayment": paid.pk,
        "hh_sibling": sibling.pk,
        "group": group.pk,
        "event": event.pk,
    }


def _subsidies(world, hh: int, loans: dict) -> dict:
    """Two subsidy batches of the first township prepared by someone outside the matrix; the
    county's fund; a claim on the matrix loan (sibling village) reviewed by its village, with a
    proof; a blacklisting of the sibling household made by someone outside the matrix."""
    import datetime as dt

    from fupin.accounts.services import user_create
    from fupin.loans.models import Loan
    from fupin.riskfund.models import Blacklist, Claim, Fund, Proof
    from fupin.subsidies.models import Batch, Policy

    maker = user_create(acting_user=None, username="matrix_maker", password="x", check_password=False)
    policy = Policy.objects.get(code="S-CAPPED")
    on = dt.date(2026, 11, 1)
    batch, batch2 = (
        Batch.objects.create(
            policy=policy,
            division_code=world.township,
            institution=lenders_of(world.township)[0],
            cutoff=on,
            prepared_by=maker,
            prepared_on=on,
        )
        for _ in range(2)
    )
    fund = Fund.objects.create(
        county_code="529901000000",
        institution=lenders_of("529901000000")[0],
        name="富民县风险补偿金",
        parties=[["县风险补偿金", "fund", 80], ["贷款银行", "bank", 20]],
        products=["subsidy"],
    )
    claim = Claim.objects.create(
        fund=fund,
        loan_id=loans["loan"],
        institution_id=Loan.objects.get(pk=loans["loan"]).institution_id,
        village_code=world.sibling_village,
        cause="illness",
        description="户主重病",
        state=Claim.State.VILLAGE,
        submitted_by=maker,
        village_by=maker,
    )
    proof = Proof.objects.create(
        claim=claim,
        name="证明.pdf",
        content_type="application/pdf",
        size=9,
        data=b"%PDF-1.4\n",
        uploaded_by=maker,
    )
    blacklist = Blacklist.objects.create(
        household_id=loans["hh_sibling"],
        village_code=world.sibling_village,
        reason="恶意拖欠",
        decision_no="矩阵0号",
        decided_by=maker,
        decided_on=on,
    )
    return {
        "policy": policy.pk,
        "sbatch": batch.pk,
        "sbatch2": batch2.pk,
        "fund": fund.pk,
        "claim": claim.pk,
        "proof": proof.pk,
        "blacklist": blacklist.pk,
    }


def _coops(world, hh: int) -> dict:
    """The first village's cooperative with a member (the matrix household) owing a loan."""
    from fupin.coops import services
    from fupin.households.models import Household

    cadre = world.user("village_cadre")
    coop = services.coop_create(
        acting_user=cadre,
        village_code=world.village,
        name="",
        max_amount=500_000,
        max_term=12,
        fee_rate="0.06",
    )
    member = services.member_join(acting_user=cadre, coop=coop, household=Household.objects.get(pk=hh))
    services.capital_post(
        acting_user=world.user("poverty_office"), coop=coop, kind="government", amount=1_000_000
    )
    loan = services.coop_loan_make(
        acting_user=cadre,
        coop=coop,
        household=member.household,
        amount=100_000,
        term=6,
        purpose="养鸡",
        decision="纪要 1 号",
    )
    return {"coop": coop.pk, "coop_member": member.pk, "coop_loan": loan.pk}


def _credit(world, hh: int) -> dict:
    """The matrix household's consent for the institution (so that the bank may query it), and
    spare ones for the page's and the API's revocations to take."""
    import datetime as dt

    from fupin.creditinfo.services import consent_record
    from fupin.households.models import Household

    today = dt.date.today()
    c1, c2, c3 = (
        consent_record(
            acting_user=world.user("village_cadre"),
            household=Household.objects.get(pk=hh),
            institution="FM000",
            document_no=f"矩阵授权 {n}",
            granted_on=today,
            expires_on=today + dt.timedelta(days=365),
        )
        for n in (1, 2, 3)
    )
    return {"consent": c1.pk, "consent_spare": c2.pk, "consent_api": c3.pk}


def _ledger(world) -> dict:
    """Entries posted by the system in the first village (two: one for the page, one for the
    API) and one in the other township, out of the first branch's scope."""
    import datetime as dt

    from fupin.core.ledger import Posting as P
    from fupin.ledger.services import entry_post

    def post(village):
        return entry_post(
            acting_user=None,
            date=dt.date(2026, 11, 1),
            memo="放款",
            division_code=village,
            institution=lenders_of(village)[0].pk,
            postings=[P("1301", debit=100_000), P("1011", credit=100_000)],
        ).pk

    return {
        "entry": post(world.village),
        "entry2": post(world.village),
        "entry_out": post(world.other_village),
    }


def _subscription(world) -> int:
    """The county's webhook subscription of every lender's events (nobody listens on port 9)."""
    return Subscription.objects.create(
        name="县数据平台",
        url="http://127.0.0.1:9/hook",
        secret="whsec_matrix",
        events=["cob.finished"],
        division_code="529901000000",
        prefix="529901",
        created_by=world.user("sysadmin"),
    ).pk


def _ratings(world, tmp_path, hh: int) -> dict:
    """Scorecards (a published one and a draft), a round in the first village whose rating is
    open (the village cadre sits on its panel), a scored rating, a round in the sibling village,
    an exclusion, a designation and a reputation entry."""
    from fupin.households.importer import registry_import
    from fupin.households.models import Household
    from fupin.ratings import services
    from fupin.ratings.models import Designation, Reputation, Scorecard
    from tests.ratings.conftest import panel_user
    from tests.registry_files import TEMPLATE, template_rows, write_xlsx

    used: set[str] = set()
    rows = template_rows(world.village, 1, seed=21, start=50, used=used)
    rows += template_rows(world.sibling_village, 1, seed=22, start=60, used=used)
    registry_import(
        acting_user=None, path=write_xlsx(tmp_path / "r.xlsx", TEMPLATE, rows), file_name="r.xlsx"
    )
    second = Household.objects.filter(village_id=world.village).exclude(pk=hh).get().pk
    sibling = Household.objects.get(village_id=world.sibling_village).pk
    office = world.user("poverty_office")
    services.scorecard_install_presets(acting_user=office, county_code="529901000000")
    p2 = Scorecard.objects.get(code="p2")
    draft = services.scorecard_draft(acting_user=office, scorecard=p2)  # for the API
    page_draft = services.scorecard_draft(acting_user=office, scorecard=Scorecard.objects.get(code="p8"))
    cadre, rep, rep2 = (
        world.user("village_cadre"),
        panel_user("rep_a", world.village),
        panel_user("rep_b", world.village),
    )
    rep_s = panel_user("rep_s", world.sibling_village)

    def round_of(village, members, household):
        officer = world.user("loan_officer")  # the branch serves both villages
        panel = services.panel_create(acting_user=officer, village_code=village, name="p", members=members)
        return services.round_start(
            acting_user=officer,
            village_code=village,
            panel=panel,
            scorecard=p2,
            year=2026,
            household_ids=[household],
        )

    rnd = round_of(world.village, [(cadre, "committee"), (rep, "representative")], hh)
    done = round_of(world.village, [(rep2, "representative")], second)
    services.sheet_submit(acting_user=rep2, rating=done.ratings.get(), values=PANEL_VALUES)
    sib = round_of(world.sibling_village, [(rep_s, "representative")], sibling)
    exclusion = services.exclusion_record(
        acting_user=cadre, household=Household.objects.get(pk=hh), code="idle", reason="好逸恶劳，经核实"
    )
    designation = Designation.objects.create(
        division_id=world.village,
        year=2026,
        metrics={},
        published_on="2026-01-01",
        expires_on="2028-01-01",
        decided_by=office,
    )
    reputation = Reputation.objects.create(
        household_id=hh,
        village_code=world.village,
        kind="exemplary",
        reason="守信",
        decision="会议",
        decided_by=office,
        published_on="2026-01-01",
    )
    return {
        "scorecard": p2.pk,
        "draft": draft.pk,
        "page_draft": page_draft.pk,
        "round": rnd.pk,
        "round_sibling": sib.pk,
        "panel": rnd.panel_id,
        "rating_open": rnd.ratings.get().pk,
        "rating_done": done.ratings.get().pk,
        "rating_sibling": sib.ratings.get().pk,
        "exclusion": exclusion.pk,
        "designation": designation.pk,
        "reputation": reputation.pk,
    }


@pytest.mark.pgonly  # outside a test transaction, as in production (SQLite's audit triggers refuse the flush)
@pytest.mark.parametrize("role", ROLES_UNDER_TEST)
def test_matrix(transactional_db, world, ids, role):
    """Every request as in production — no test transaction around it — so that a write that
    needs one (an audit row outside ``transaction.atomic``) answers 500 here too."""
    from fupin.audit.models import AuditEntry

    failures = []
    for table in (PAGES, API):
        for cases in table.values():
            for method, template, allowed, ok, refused, *body in cases:
                client = world.client(role)
                url = expand(template, world, role, ids)
                want = expected(role, allowed, ok, refused)
                before = AuditEntry.objects.count()
                got = request(
                    client, method, url, expand(body[0], world, role, ids) if body else None
                ).status_code
                if got != want:
                    failures.append(f"{role} {method} {url}: expected {want}, got {got}")
                elif (
                    method != "GET"
                    and url.startswith("/api/")
                    and got in (200, 201)
                    and template not in NO_CHANGE
                    and AuditEntry.objects.count() == before
                ):
                    failures.append(f"{role} {method} {url}: a write that left no audit row")  # DOMAIN §14
    assert failures == []


def test_matrix_anonymous(world, ids):
    failures = []
    for name, cases in PAGES.items():
        for method, template, allowed, ok, *_ in cases:
            url = expand(template, world, "anonymous", ids)
            got = request(world.client(None), method, url).status_code
            want = ok if allowed == "public" else 200 if name == "login" else 302
            if got != want:
                failures.append(f"anonymous {method} {url}: expected {want}, got {got}")
    for method, url in PUBLIC_API:
        if request(world.client(None), method, url).status_code != 200:
            failures.append(f"anonymous {method} {url}: expected 200")
    for (method, url), (body, want) in SIGN_IN.items():
        if (got := request(world.client(None), method, url, body).status_code) != want:
            failures.append(f"anonymous {method} {url}: expected {want}, got {got}")
    for cases in API.values():
        for method, template, *_ in cases:
            url = expand(template, world, "anonymous", ids)
            got = request(world.client(None), method, url).status_code
            if got != 401:
                failures.append(f"anonymous {method} {url}: expected 401, got {got}")
    assert failures == []


def _page_names(resolver=None, prefix="") -> set[str]:
    names = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue
            names |= _page_names(p)
        elif isinstance(p, URLPattern) and p.name:
            names.add(p.name)
    return names


def test_every_page_is_in_the_matrix():
    assert _page_names() - set(PAGES) == set()


def test_every_api_operation_is_in_the_matrix(db):
    schema = api.get_openapi_schema()
    ops = {(m.upper(), path) for path, item in schema["paths"].items() for m in item}
    assert ops - set(API) - set(SIGN_IN) == set()
    assert set(API) <= ops, "the matrix lists an operation that no longer exists"
