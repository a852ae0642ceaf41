"""The messages' Chinese texts (issue 26 (7)). A provider's templates must be approved with the
same placeholders (Alibaba Cloud writes them ``${name}``); their ids come from
``FUPIN_SMS_TEMPLATES``."""

from __future__ import annotations

from django.conf import settings

# kind -> (what it is, the text with its named placeholders)
TEMPLATES: dict[str, tuple[str, str]] = {
    "due_reminder": (
        "还款提醒",
        "{name}您好：您的扶贫小额贷款（合同{contract}）{due}应还{amount}元，请提前存入还款账户。"
        "如有疑问请联系{contact}。回复TD退订",
    ),
    "arrears": (
        "逾期通知",
        "{name}您好：您的扶贫小额贷款（合同{contract}）已逾期{dpd}天，欠款{amount}元。"
        "逾期会产生罚息并影响信用等级，请尽快归还。联系：{contact}。回复TD退订",
    ),
    "subsidy_credit": (
        "贴息到账",
        "{name}您好：您的贷款贴息{amount}元已于{on}存入您尾号{account}的银行账户，请注意查收。回复TD退订",
    ),
    "approved": (
        "贷款获批",
        "{name}您好：您申请的扶贫小额贷款{amount}元（{term}个月）已获批准，信贷员将与您约定签约放款时间。回复TD退订",
    ),
    "todo": ("待办提醒", "{name}您好：您有{count}项待办：{items}。请登录扶贫小额信贷系统处理。"),
}


def render(kind: str, params: dict) -> str:
    """The message as the phone shows it, with the sign in front (【扶贫小额信贷】…)."""
    return f"【{settings.FUPIN_SMS_SIGN}】" + TEMPLATES[kind][1].format(**params)
