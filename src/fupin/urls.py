from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.views.i18n import set_language

from fupin.accounts import views as accounts
from fupin.api.errors import error_response
from fupin.audit import views as audit
from fupin.cob import views as cob
from fupin.coops import views as coops
from fupin.creditinfo import views as creditinfo
from fupin.divisions import views as divisions
from fupin.feeds import views as feeds
from fupin.field import views as field
from fupin.households import views as households
from fupin.ledger import views as ledger
from fupin.loans import lender_views
from fupin.loans import views as loans
from fupin.pay import views as pay
from fupin.products import views as products
from fupin.ratings import views as ratings
from fupin.reports import views as reports
from fupin.riskfund import views as riskfund
from fupin.selfservice import views as selfservice
from fupin.site import archive, public, views
from fupin.site.api import api
from fupin.subsidies import views as subsidies
from fupin.webhooks import views as webhooks


def api_not_found(request, rest=""):
    return error_response(404, "not_found", "接口不存在")


urlpatterns = [
    # first: an API request is matched against these two, not against every page's pattern before them
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("", views.home, name="home"),
    path("v/<str:value>/", public.verify_page, name="verify"),  # public: a printed notice's QR code
    path("v/<str:value>/code/", public.verify_code, name="verify_code"),
    path("v/<str:value>/objection/", public.verify_objection, name="verify_objection"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/two-factor/", accounts.two_factor, name="two_factor"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("divisions/", divisions.division_list, name="division_list"),
    path("calendar/", products.calendar_year, name="calendar_year"),
    path("benchmarks/", products.benchmark_list, name="benchmark_list"),
    path("benchmarks/new/", products.benchmark_enter, name="benchmark_enter"),
    path("calendar/days/", products.calendar_enter, name="calendar_enter"),
    path("calendar/days/<int:pk>/remove/", products.calendar_remove, name="calendar_remove"),
    path("divisions/<str:code>/", divisions.division_list, name="division_detail"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("households/", households.household_list, name="household_list"),
    path("households/export.xlsx", households.household_export, name="household_export"),
    path("households/<int:pk>/", archive.household_detail, name="household_detail"),
    path("households/<int:pk>/reveal/", archive.household_reveal, name="household_reveal"),
    path("registry/import/", households.registry_import, name="registry_import"),
    path("registry/template.xlsx", households.registry_template, name="registry_template"),
    path("registry/import/<int:pk>/", households.registry_batch, name="registry_batch"),
    path("registry/import/<int:pk>/worklist/", views.registry_worklist, name="registry_worklist"),
    path(
        "registry/import/<int:pk>/problems.xlsx",
        households.registry_batch_problems,
        name="registry_batch_problems",
    ),
    path("households/<int:pk>/exclusions/", ratings.exclusion_record, name="exclusion_record"),
    path("households/<int:pk>/reputation/", ratings.reputation_publish, name="reputation_publish"),
    path("ratings/", ratings.overview, name="rating_overview"),
    path("ratings/scorecards/", ratings.scorecard_list, name="scorecard_list"),
    path("ratings/scorecards/presets/", ratings.scorecard_presets, name="scorecard_presets"),
    path("ratings/scorecards/<int:pk>/", ratings.scorecard_detail, name="scorecard_detail"),
    path("ratings/scorecards/<int:pk>/draft/", ratings.scorecard_draft, name="scorecard_draft"),
    path("ratings/scorecards/<int:pk>/edit/", ratings.scorecard_update, name="scorecard_update"),
    path("ratings/scorecards/<int:pk>/publish/", ratings.scorecard_publish, name="scorecard_publish"),
    path("ratings/panels/", ratings.panel_list, name="panel_list"),
    path("ratings/rounds/new/", ratings.round_new, name="round_new"),
    path("ratings/rounds/<int:pk>/", ratings.round_detail, name="round_detail"),
    path("ratings/rounds/<int:pk>/sign/", ratings.round_sign, name="round_sign"),
    path("ratings/rounds/<int:pk>/decide/", ratings.round_decide, name="round_decide"),
    path("ratings/<int:pk>/", ratings.rating_detail, name="rating_detail"),
    path("ratings/<int:pk>/form.pdf", ratings.rating_form_pdf, name="rating_form_pdf"),
    path("ratings/exclusions/<int:pk>/withdraw/", ratings.exclusion_withdraw, name="exclusion_withdraw"),
    path("ratings/unborrowed/", ratings.unborrowed_list, name="unborrowed_list"),
    path("ratings/unborrowed.xlsx", ratings.unborrowed_export, name="unborrowed_export"),
    path("ratings/villages/", ratings.credit_villages, name="credit_villages"),
    path("ratings/villages/<str:code>/publish/", ratings.designation_publish, name="designation_publish"),
    path(
        "ratings/designations/<int:pk>/withdraw/", ratings.designation_withdraw, name="designation_withdraw"
    ),
    path("ratings/reputation/", ratings.reputation_list, name="reputation_list"),
    path("ratings/rules/", ratings.rules_list, name="rules_list"),
    path("ratings/reputation/<int:pk>/withdraw/", ratings.reputation_withdraw, name="reputation_withdraw"),
    path("households/<int:pk>/apply/", loans.application_new, name="application_new"),
    path("loans/applications/", loans.application_list, name="application_list"),
    path("loans/applications/<int:pk>/", loans.application_detail, name="application_detail"),
    path("loans/applications/<int:pk>/review/", loans.application_review, name="application_review"),
    path("loans/applications/<int:pk>/objections/", loans.objection_file, name="objection_file"),
    path("loans/applications/<int:pk>/contract/", loans.loan_contract, name="loan_contract"),
    path("loans/applications/<int:pk>/guarantors/", loans.guarantor_new, name="guarantor_new"),
    path("loans/objections/<int:pk>/resolve/", loans.objection_resolve, name="objection_resolve"),
    path("loans/<int:pk>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/contract.pdf", loans.loan_contract_pdf, name="loan_contract_pdf"),
    path("loans/<int:pk>/disburse/", loans.loan_disburse, name="loan_disburse"),
    path("loans/<int:pk>/uses/", loans.actual_use, name="actual_use"),
    path("loans/<int:pk>/repay/", loans.loan_repay, name="loan_repay"),
    path("loans/repayments/<int:pk>/receipt/", loans.repayment_receipt, name="repayment_receipt"),
    path("loans/<int:pk>/payoff/", loans.loan_payoff, name="loan_payoff"),
    path("loans/<int:pk>/prepay/", loans.loan_prepay, name="loan_prepay"),
    path("loans/groups/", loans.group_list, name="group_list"),
    path("loans/groups/<int:pk>/collect/", loans.group_collect, name="group_collect"),
    path("loans/<int:pk>/events/", loans.loan_event_request, name="loan_event_request"),
    path("loans/events/", loans.loan_events, name="loan_events"),
    path("loans/events/<int:pk>/decide/", loans.loan_event_decide, name="loan_event_decide"),
    path("cob/", cob.cob_runs, name="cob_runs"),
    path("cob/run/", cob.cob_run, name="cob_run"),
    path("cob/collections/", cob.collection_list, name="collection_list"),
    path("cob/villages/", cob.village_recovery, name="village_recovery"),
    path("households/<int:pk>/lead/", loans.lead_agreements, name="lead_agreements"),
    path("loans/notices/", loans.notice_list, name="notice_list"),
    path("loans/notices/publish/", loans.notice_publish, name="notice_publish"),
    path("loans/notices/<int:pk>/notice.pdf", loans.notice_pdf, name="notice_pdf"),
    path("loans/notices/<int:pk>/approve/", loans.roster_approve, name="roster_approve"),
    path("loans/quotas/", loans.quota_list, name="quota_list"),
    path("loans/lenders/", loans.lender_list, name="lender_list"),
    path("loans/lenders/new/", lender_views.lender_new, name="lender_new"),
    path("loans/lenders/<int:pk>/", lender_views.lender_settings, name="lender_settings"),
    path("loans/imports/", lender_views.loan_book_import, name="loan_book_import"),
    path("feeds/", feeds.feed_list, name="feed_list"),
    path("feeds/<int:pk>/", feeds.feed_detail, name="feed_detail"),
    path("feeds/<int:pk>/worklist.xlsx", feeds.feed_worklist_xlsx, name="feed_worklist_xlsx"),
    path("loans/imports/template.xlsx", lender_views.loan_book_template, name="loan_book_template"),
    path("loans/quotas/set/", loans.quota_set, name="quota_set"),
    path("ledger/", ledger.trial_balance, name="ledger_trial_balance"),
    path("ledger/accounts/", ledger.accounts, name="ledger_accounts"),
    path("ledger/accounts/<str:code>/", ledger.statement, name="ledger_statement"),
    path("ledger/entries/<int:pk>/", ledger.entry, name="ledger_entry"),
    path("ledger/entries/<int:pk>/reverse/", ledger.entry_reverse, name="ledger_entry_reverse"),
    path("users/", accounts.user_list, name="user_list"),
    path("users/new/", accounts.user_new, name="user_new"),
    path("users/<int:user_id>/", accounts.user_detail, name="user_detail"),
    path("users/<int:user_id>/roles/", accounts.user_role_add, name="user_role_add"),
    path("role-requests/<int:pk>/decision/", accounts.role_request_decide, name="role_request_decide"),
    path(
        "users/<int:user_id>/roles/<int:role_id>/revoke/", accounts.user_role_revoke, name="user_role_revoke"
    ),
    path("users/<int:user_id>/active/", accounts.user_active, name="user_active"),
    path("tokens/", accounts.token_list, name="token_list"),
    path("field/", field.field_app, name="field_app"),
    path("field/sw.js", field.service_worker, name="field_sw"),
    path("field/manifest.webmanifest", field.manifest, name="field_manifest"),
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/end/", webhooks.webhook_end, name="webhook_end"),
    path("tokens/issue/", accounts.token_issue, name="token_issue"),
    path("tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("reports/", reports.report_table, name="report_table"),
    path("reports/<str:table>.<str:fmt>", reports.report_download, name="report_download"),
    path("reports/indicators/", reports.report_indicators, name="report_indicators"),
    path("reports/rankings/", reports.report_rankings, name="report_rankings"),
    path("reports/warning/", reports.report_warning, name="report_warning"),
    path("reports/simulate/", reports.report_simulate, name="report_simulate"),
    path("subsidies/", subsidies.subsidy_overview, name="subsidy_overview"),
    path("subsidies/batches/", subsidies.subsidy_prepare, name="subsidy_prepare"),
    path("subsidies/batches/<int:pk>/", subsidies.subsidy_batch, name="subsidy_batch"),
    path("subsidies/batches/<int:pk>/review/", subsidies.subsidy_review, name="subsidy_review"),
    path("subsidies/batches/<int:pk>/confirm/", subsidies.subsidy_confirm, name="subsidy_confirm"),
    path("subsidies/batches/<int:pk>/pay/", subsidies.subsidy_pay, name="subsidy_pay"),
    path("subsidies/batches/<int:pk>/credit/", subsidies.subsidy_credit, name="subsidy_credit"),
    path(
        "subsidies/batches/<int:pk>/announcement.<str:fmt>",
        subsidies.subsidy_announcement,
        name="subsidy_announcement",
    ),
    path("subsidies/register/", subsidies.subsidy_register, name="subsidy_register"),
    path("riskfund/", riskfund.riskfund_overview, name="riskfund_overview"),
    path("riskfund/funds/", riskfund.riskfund_create, name="riskfund_create"),
    path("riskfund/funds/<int:pk>/contributions/", riskfund.riskfund_contribute, name="riskfund_contribute"),
    path("loans/<int:pk>/claim/", riskfund.claim_new, name="claim_new"),
    path("riskfund/bank-loans/<int:pk>/claim/", riskfund.bank_claim_new, name="bank_claim_new"),
    path("riskfund/claims/<int:pk>/", riskfund.claim_detail, name="claim_detail"),
    path("riskfund/claims/<int:pk>/review/", riskfund.claim_review, name="claim_review"),
    path("riskfund/claims/<int:pk>/payout/", riskfund.claim_pay, name="claim_pay"),
    path("riskfund/claims/<int:pk>/proofs/", riskfund.claim_proof_add, name="claim_proof_add"),
    path("riskfund/proofs/<int:pk>/", riskfund.proof_download, name="proof_download"),
    path("riskfund/blacklist/", riskfund.blacklist_list, name="blacklist_list"),
    path("households/<int:pk>/blacklist/", riskfund.blacklist_decide, name="blacklist_decide"),
    path("riskfund/blacklist/<int:pk>/lift/", riskfund.blacklist_lift, name="blacklist_lift"),
    path("households/<int:pk>/legal/", riskfund.legal_record, name="legal_record"),
    path("coops/", coops.coop_list, name="coop_list"),
    path("coops/export.xlsx", coops.coop_export, name="coop_export"),
    path("coops/new/", coops.coop_create, name="coop_create"),
    path("coops/<int:pk>/", coops.coop_detail, name="coop_detail"),
    path("coops/<int:pk>/members/", coops.coop_member_join, name="coop_member_join"),
    path("coops/<int:pk>/capital/", coops.coop_capital, name="coop_capital"),
    path("coops/<int:pk>/loans/", coops.coop_loan_new, name="coop_loan_new"),
    path("coops/loans/<int:pk>/repay/", coops.coop_repay, name="coop_repay"),
    path("credit/", creditinfo.credit_overview, name="credit_overview"),
    path("credit/import/", creditinfo.credit_import, name="credit_import"),
    path("credit/template.xlsx", creditinfo.credit_template, name="credit_template"),
    path("credit/files/", creditinfo.credit_file_import, name="credit_file_import"),
    path("credit/entities/", creditinfo.entity_rate, name="entity_rate"),
    path("credit/consents/<int:pk>/revoke/", creditinfo.consent_revoke, name="consent_revoke"),
    path("households/<int:pk>/credit/", creditinfo.credit_report, name="credit_report"),
    path("households/<int:pk>/credit.pdf", creditinfo.credit_report_pdf, name="credit_report_pdf"),
    path("households/<int:pk>/credit/items/", creditinfo.credit_item_add, name="credit_item_add"),
    path("households/<int:pk>/credit/consents/", creditinfo.consent_add, name="consent_add"),
    path("households/<int:pk>/credit-file.json", creditinfo.credit_file_export, name="credit_file_export"),
    path("me/", selfservice.me, name="me"),
    path("me/sms/", selfservice.me_sms, name="me_sms"),
    path("me/login/", selfservice.me_login, name="me_login"),
    path("me/login/verify/", selfservice.me_verify, name="me_verify"),
    path("pay/", pay.pay_sheet, name="pay_sheet"),
    path("pay/sheet.<str:fmt>", pay.pay_download, name="pay_download"),
    path("pay/rules/", pay.pay_rules, name="pay_rules"),
    path("pay/rules/save/", pay.pay_rules_save, name="pay_rules_save"),
]

handler400 = "fupin.web.errors.bad_request"
handler404 = "fupin.web.errors.not_found"
handler403 = "fupin.web.errors.forbidden"
handler500 = "fupin.web.errors.server_error"
