"""What an audit entry says in Chinese (issue 27 (2)): the action's name, the object's kind, the
changed fields — the codes stay beside them for the auditor who searches by them."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from fupin.core.origination import STEP_LABELS

ACTIONS: dict[str, str] = {
    "account.2fa_codes": "重新生成两步验证恢复码",
    "account.2fa_enrol": "启用两步验证",
    "account.2fa_remove": "停用两步验证",
    "application.create": "提交贷款申请",
    "benchmark.enter": "录入基准利率",
    "blacklist.decide": "列入失信黑名单",
    "blacklist.lift": "移出失信黑名单",
    "branch.create": "新建网点",
    "calendar.enter": "录入节假日安排",
    "calendar.remove": "删除节假日安排",
    "cob.finish": "日终批处理完成",
    "cob.start": "日终批处理开始",
    "coop.create": "新建互助社",
    "coop.member_join": "互助社成员入社",
    "credit.consent": "登记信用查询授权",
    "credit.consent_revoke": "撤销信用查询授权",
    "credit.entity_rate": "新型经营主体评级",
    "credit.file_export": "导出信用档案",
    "credit.file_import": "导入信用档案",
    "credit.import": "导入部门信用信息",
    "credit.item": "录入信用信息",
    "designation.publish": "公布信用村",
    "designation.withdraw": "撤销信用村",
    "division.bulk_create": "批量新建行政区划",
    "division.create": "新建行政区划",
    "exclusion.record": "记录不予授信情形",
    "feed.import": "导入银行月度数据",
    "fundclaim.approve": "风险补偿金代偿：扶贫办审批",
    "fundclaim.pay": "风险补偿金代偿：支付",
    "fundclaim.proof": "风险补偿金代偿：上传证明",
    "fundclaim.submit": "申请风险补偿金代偿",
    "fundclaim.township": "风险补偿金代偿：乡镇审核",
    "fundclaim.village": "风险补偿金代偿：村委会审查",
    "group.create": "组建联保小组",
    "guarantor.add": "登记保证人",
    "household.create": "新建农户档案",
    "household.save": "修改农户档案",
    "household.view": "查看农户档案",
    "institution.configure": "设置贷款机构",
    "lead.agreement": "签订带动协议",
    "ledger.account": "设置会计科目",
    "ledger.post": "记账",
    "ledger.post_batch": "批量记账",
    "legal.record": "记录法律诉讼",
    "loan.actual_use": "核实贷款实际用途",
    "loan.contract": "签订借款合同",
    "loan.disburse": "放款",
    "loan.payoff": "提前结清",
    "loan.prepay": "部分提前还款",
    "loan.recover": "核销后收回",
    "loanbook.import": "存量贷款迁入",
    "notice.publish": "发布公示",
    "objection.file": "登记公示异议",
    "objection.resolve": "处理公示异议",
    "panel.create": "组建评议小组",
    "pay.rules": "制定绩效规则",
    "pii.export": "导出含完整个人信息的名单",
    "pii.reveal": "查看完整个人信息",
    "quota.set": "设定乡镇额度",
    "rating.grade_event": "信用等级调整",
    "rating.round_start": "开始整村评级",
    "rating.score": "评级打分",
    "rating.sign": "评议小组签字",
    "registry.import": "导入农户名单",
    "repayment.post": "收到还款",
    "reputation.publish": "公布守信/失信名单",
    "riskfund.contribute": "风险补偿金注资",
    "riskfund.create": "设立风险补偿金",
    "role.approve": "批准角色授权",
    "role.assign": "授予角色",
    "role.request": "申请角色授权",
    "role.revoke": "撤销角色",
    "roster.approve": "审批贷款名单",
    "rules.create": "制定准入规则",
    "scorecard.draft": "起草评分表",
    "scorecard.publish": "发布评分表",
    "scorecard.update": "修改评分表草稿",
    "selfservice.code": "农户申请登录验证码",
    "selfservice.login": "农户登录",
    "sms.opt_in": "恢复短信提醒",
    "sms.opt_out": "退订短信提醒",
    "subsidy.confirm": "贴息申报：财政局确认",
    "subsidy.credit": "贴息入账到户",
    "subsidy.pay": "贴息资金拨付",
    "subsidy.policy": "设置贴息政策",
    "subsidy.prepare": "贴息申报",
    "subsidy.review": "贴息申报：扶贫办审核",
    "token.issue": "签发 API 令牌",
    "token.revoke": "吊销 API 令牌",
    "token.sign_in": "API 登录",
    "token.sign_out": "API 退出",
    "user.activate": "启用/停用用户",
    "user.create": "新建用户",
    "user.password": "修改密码",
    "visit.record": "记录走访",
    "webhook.create": "订阅事件推送",
    "webhook.end": "停用事件推送",
    "webhook.test": "测试事件推送",
}
# the audited kinds of object whose models carry no Chinese name
OBJECTS: dict[str, str] = {
    "households.ImportBatch": "名单导入批次",
    "households.Visit": "走访记录",
    "ratings.Scorecard": "评分表",
    "ratings.Panel": "评议小组",
    "ratings.RatingRound": "整村评级",
    "ratings.Rating": "评级",
    "ratings.CreditLine": "授信",
    "ratings.GradeChange": "信用等级变动",
    "ratings.Exclusion": "不予授信情形",
    "ratings.RuleSet": "准入规则",
    "ratings.Designation": "信用村",
    "ratings.Reputation": "守信/失信名单",
    "ledger.Account": "会计科目",
    "ledger.JournalEntry": "记账凭证",
    "loans.Notice": "公示",
    "loans.Application": "贷款申请",
    "loans.Guarantor": "保证人",
    "loans.Objection": "公示异议",
    "loans.Quota": "乡镇额度",
    "loans.Loan": "贷款",
    "loans.Group": "联保小组",
    "loans.ActualUse": "贷款实际用途",
    "loans.LeadAgreement": "带动协议",
    "loans.Repayment": "还款",
    "loans.Prepayment": "提前还款",
    "loans.LoanEvent": "展期/转据/核销",
    "cob.CobRun": "日终批处理",
    "subsidies.Policy": "贴息政策",
    "subsidies.Batch": "贴息申报批次",
    "riskfund.Fund": "风险补偿金",
    "riskfund.Contribution": "风险补偿金注资",
    "riskfund.Claim": "代偿申请",
    "riskfund.Proof": "代偿证明材料",
    "riskfund.Blacklist": "失信黑名单",
    "riskfund.LegalAction": "法律诉讼",
    "pay.PayRules": "绩效规则",
    "coops.Cooperative": "互助社",
    "coops.Member": "互助社成员",
    "coops.CoopLoan": "互助社借款",
    "creditinfo.CreditItem": "信用信息",
    "creditinfo.Consent": "信用查询授权",
    "creditinfo.EntityRating": "经营主体评级",
}
# keys the services write into an entry that are no model's field
KEYS = {
    "approve": "通过",
    "struck": "核减",
    "ref": "文号",
    "on": "日期",
    "households": "户数",
    "policy": "政策",
    "note": "意见",
    "reason": "原因",
    "amount": "金额（元）",
    "principal": "本金（元）",
    "interest": "利息（元）",
    "entry": "记账凭证",
    "file": "文件",
    "rows": "行数",
    "members": "人数",
    "fields": "字段",
    "institution": "贷款机构",
    "events": "事件",
    "url": "接收地址",
}
EVENT_KINDS = {"extension": "展期", "rollover": "转据", "write_off": "核销", "refund": "退款"}


def action_label(action: str) -> str:
    """The action in Chinese (贷款申请：乡镇审核); an action not listed, as its code."""
    if action in ACTIONS:
        return ACTIONS[action]
    head, _, step = action.partition(".")
    if head == "application" and step in STEP_LABELS:
        return f"贷款申请：{STEP_LABELS[step]}"
    if head == "loan" and step.startswith("event."):
        kind = step.removeprefix("event.")
        return f"贷款{EVENT_KINDS.get(kind, kind)}"
    return action


def object_label(object_type: str) -> str:
    """The kind of object in Chinese (subsidies.Batch → 贴息申报批次): listed here, or its model's
    Chinese name; else the code."""
    if object_type in OBJECTS:
        return OBJECTS[object_type]
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
    return object_type if name.isascii() else name


def changes(object_type: str, values: Any) -> list[tuple[str, str]]:
    """A before/after record as (field's Chinese name, value) pairs, not a Python dict."""
    if not isinstance(values, dict):
        return [("", str(values))] if values not in (None, "") else []
    try:
        model = apps.get_model(object_type)
        fields = {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    except (LookupError, ValueError):
        fields = {}
    shown = []
    for k, v in values.items():
        if isinstance(v, bool):
            v = "是" if v else "否"
        elif isinstance(v, list):
            v = "、".join("/".join(map(str, x)) if isinstance(x, list) else str(x) for x in v)
        elif isinstance(v, dict):
            v = "；".join(f"{a}：{b}" for a, b in v.items())
        label = fields.get(k, k)
        if label.isascii():
            label = KEYS.get(k, k)
        elif isinstance(v, str):  # an amount the services wrote as yuan (fmt), of a field kept in fen
            label = label.replace("（分）", "（元）")
        shown.append((label, "" if v is None else str(v)))
    return shown
