"""The REST API under /api/v1 (django-ninja), with its OpenAPI at /api/v1/openapi.json: every
app's router mounted on one NinjaAPI."""

from ninja import NinjaAPI

from fupin.accounts.api import router as accounts_router
from fupin.accounts.auth import AUTH
from fupin.api import errors
from fupin.audit.api import router as audit_router
from fupin.cob.api import router as cob_router
from fupin.coops.api import router as coops_router
from fupin.creditinfo.api import router as creditinfo_router
from fupin.divisions.api import router as divisions_router
from fupin.feeds.api import router as feeds_router
from fupin.field.api import router as field_router
from fupin.households.api import router as households_router
from fupin.ledger.api import router as ledger_router
from fupin.loans.api import router as loans_router
from fupin.loans.book_api import router as loan_books_router
from fupin.pay.api import router as pay_router
from fupin.products.api import router as products_router
from fupin.ratings.api import router as ratings_router
from fupin.reports.api import router as reports_router
from fupin.riskfund.api import router as riskfund_router
from fupin.selfservice.api import router as selfservice_router
from fupin.sms.api import router as sms_router
from fupin.subsidies.api import router as subsidies_router
from fupin.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="扶贫小额信贷管理系统 API",
    version="1",
    description=(
        "Fupin 的 REST 接口。认证：管理员签发的 Bearer 令牌，或页面会话（需 CSRF）。"
        "所有 4xx 错误返回 {code, message, details}，message 为中文。"
        "所有数据均按用户角色与辖区过滤。"
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)


# the routers, in the order the OpenAPI document lists them
api.add_router("/", accounts_router)
api.add_router("/divisions", divisions_router)
api.add_router("/audit", audit_router)
api.add_router("/households", households_router)
api.add_router("/", ratings_router)
api.add_router("/ledger", ledger_router)
api.add_router("/", loans_router)
api.add_router("/", loan_books_router)
api.add_router("/", feeds_router)
api.add_router("/", cob_router)
api.add_router("/", subsidies_router)
api.add_router("/", riskfund_router)
api.add_router("/", reports_router)
api.add_router("/", pay_router)
api.add_router("/", coops_router)
api.add_router("/", creditinfo_router)
api.add_router("/", selfservice_router)
api.add_router("/", products_router)
api.add_router("/", webhooks_router)
api.add_router("/", sms_router)
api.add_router("/", field_router)
