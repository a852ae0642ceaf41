"""Fill locale/en/LC_MESSAGES/django.po from the table below (run after makemessages):
    python3 scripts/translations_en.py src/fupin/locale/en/LC_MESSAGES/django.po
"""
import re, sys
T = {
"扶贫小额信贷管理系统": "Poverty-alleviation microcredit management system",
"扶贫小额信贷": "Poverty-alleviation microcredit",
"菜单": "Menu", "退出": "Sign out", "出错了": "Something went wrong", "错误代码": "Error code",
"返回首页": "Back to home", "账号已锁定": "Account locked",
"登录失败次数过多，账号已被临时锁定。请稍后再试，或联系系统管理员解锁。": "Too many failed sign-in attempts: the account is locked for a while. Try again later or ask the system administrator to unlock it.",
"登录": "Sign in", "请使用分配给您的账号登录": "Sign in with the account you were given",
"用户名或密码不正确。连续失败5次后账号将被锁定。": "Wrong user name or password. The account is locked after 5 failed attempts.",
"用户名": "User name", "密码": "Password", "审计日志": "Audit log", "操作人": "Actor", "操作": "Action",
"对象类型": "Object type", "对象编号": "Object id", "起始日期": "From", "截止日期": "To", "筛选": "Filter",
"日志只读，任何人不能修改或删除。": "The log is read-only: nobody can change or delete an entry.",
"时间": "Time", "对象": "Object", "区划": "Division", "变更": "Change", "前": "Before", "后": "After",
"没有符合条件的记录": "No matching entries", "行政区划": "Divisions", "全部": "All", "代码": "Code",
"名称": "Name", "级别": "Level", "没有下级区划": "No sub-divisions", "您好": "Hello", "辖区": "Jurisdiction",
"网点": "Branch", "超级管理员": "Superuser", "可访问全部辖区": "Access to every jurisdiction",
"您的账号尚未分配角色，请联系系统管理员。": "Your account has no role yet; ask the system administrator.",
"辖区概况": "Jurisdiction at a glance", "业务数据": "Business data",
"农户档案、评级授信、贷款与还款等业务数据尚未录入；相应功能上线后将在此显示您辖区内的统计与待办。": "No household records, ratings, loans or repayments have been entered yet; figures and tasks for your jurisdiction will appear here as those capabilities arrive.",
"上一页": "Previous", "第 %(n)s / %(total)s 页": "Page %(n)s of %(total)s", "下一页": "Next",
"API 令牌": "API tokens", "新令牌已签发": "New token issued",
"请立即复制保存，此令牌只显示这一次：": "Copy and keep it now: this token is shown only once:",
"用户": "User", "用途": "Purpose", "签发令牌": "Issue token", "前缀": "Prefix", "签发": "Issued",
"最近使用": "Last used", "状态": "State", "已吊销": "Revoked", "吊销": "Revoke", "尚未签发令牌": "No tokens issued yet",
"首页": "Home", "查看农户档案": "Open the household files", "评级授信、贷款与还款等业务数据尚未录入；相应功能上线后将在此显示您辖区内的统计与待办。": "No ratings, loans or repayments have been entered yet; figures and tasks for your jurisdiction will appear here as those capabilities arrive.", "档案变更记录": "History of this file",
"进度": "Progress",
"数据行": "Data rows",
"户数": "Households",
"新建档户": "New households",
"信息变更户": "Households changed",
"新增成员": "New members",
"成员信息变更": "Members changed",
"成员迁移": "Members moved",
"成员迁出": "Members left",
"下载错误报告（Excel）": "Download the problem report (Excel)",
"行号": "Row",
"列": "Column",
"值": "Value",
"问题": "Problem",
"一户一档": "Household file",
"基本情况": "Overview",
"户类型": "Registry status",
"年建档": " registered",
"脱贫年度": "Year lifted out",
"人数": "Members",
"人均纯收入": "Net income per capita",
"家庭年收入": "Household income",
"主要致贫原因": "Main cause of poverty",
"贫困户属性": "Poverty category",
"收入来源": "Income sources",
"开户银行": "Bank",
"重点标签": "Priority tags",
"家庭成员": "Members",
"显示完整证件号码与电话": "Show full ID and phone numbers",
"已显示完整号码，本次查看已记入审计日志。": "Full numbers shown; this view has been written to the audit log.",
"与户主关系": "Relationship to head",
"证件号码": "ID number",
"出生日期": "Date of birth",
"劳动能力": "Labour capacity",
"健康状况": "Health",
"文化程度": "Education",
"联系电话": "Phone",
"户主": "Head",
"已迁出": "Left the household",
"户类型变更": "Registry status history",
"评级授信": "Ratings and credit lines",
"尚无评级记录。": "No rating yet.",
"贷款申请与贷款": "Applications and loans",
"尚无贷款申请。": "No application yet.",
"还款、贴息与风险补偿": "Repayments, subsidies and risk fund",
"尚无记录。": "Nothing yet.",
"来源": "Source",
"导入": "Import",
"仅显示最近 200 条。": "Only the latest 200 are shown.",
"返回导入页面": "Back to imports",
"导入农户名单": "Import the registry",
"可导入全国扶贫开发信息系统导出的人员表，或本系统的导入模板。只要有一处错误，整个文件都不会导入，并列出每一处错误。": "Import the person table exported by the national poverty information system, or this system's template. If anything is wrong, nothing is imported and every problem is listed.",
"下载导入模板": "Download the template",
"Excel 文件（.xlsx）": "Excel file (.xlsx)",
"只检查，不导入（试运行）": "Check only, do not import (dry run)",
"上传并检查": "Upload and check",
"最近的导入": "Recent imports",
"文件": "File",
"行数": "Rows",
"尚无导入记录": "No imports yet",
"农户档案": "Households",
"姓名、证件号码、电话或户编号": "Name, ID number, phone or household number",
"行政村": "Village",
"导出 Excel": "Export to Excel",
"导出完整证件号码与电话，将记入审计日志": "Exports full ID and phone numbers; written to the audit log",
"导出（含完整号码）": "Export (full numbers)",
"导入名单": "Import registry",
"户编号": "Household no.",
"角色": "Role", "辖区（区划代码）": "Jurisdiction (division code)", "网点（银行角色必填）": "Branch (required for bank roles)",
"启用": "Active", "重新启用": "Re-enable", "已停用": "Disabled", "停用": "Disable", "最近登录": "Last sign-in", "角色与辖区": "Roles and jurisdictions",
"撤销": "Revoke", "添加角色": "Add a role", "添加": "Add", "查看该用户的变更记录": "Changes to this user",
"新建用户": "New user", "姓名": "Name", "手机号": "Mobile", "初始密码": "Initial password",
"密码至少12位，且须包含大写字母、小写字母、数字、符号中的3类。": "At least 12 characters from three of: upper case, lower case, digits, symbols.",
"创建": "Create", "用户管理": "Users", "用户名或姓名": "User name or name", "查找": "Search",
}

# 评级授信 (issue 5)
T.update({
"信用等级": "Credit grade", "授信额度（元）": "Credit line (yuan)", "用信期限": "Drawing period", "%(n)s 个月": "%(n)s months",
"有效期至": "Valid until", "贴息资格": "Subsidy eligibility", "自 %(y)s 年起取消": "withdrawn from %(y)s",
"准入条件": "Eligibility", "符合全部准入条件（项目在申请时确认）。": "Meets every eligibility rule (the project is confirmed on the application).",
"评分表": "Scorecard", "得分": "Score", "等级": "Grade", "额度": "Line", "等级变动": "Grade changes",
"不予授信情形": "Exclusions", "撤销理由": "Reason for withdrawal", "无": "None", "情形": "Case",
"事实与依据": "Facts and evidence", "记录不予授信情形": "Record an exclusion", "已撤回": "Withdrawn",
"公示类别": "List", "守信典范": "Exemplary", "失信典型": "Defaulter", "事实": "Facts",
"决定（会议纪要或文号）": "Decision (minutes or document number)", "列入公示名单": "Put on the public list",
"整村评级": "Village ratings", "评议小组": "Panels", "信用村": "Credit villages", "守信与失信名单": "Reputation lists",
"应贷未贷": "Rated, not borrowing", "请先建立评议小组": "Set up a panel first", "第 %(v)s 版": "version %(v)s",
"评级年度": "Rating year", "行政村代码": "Village code", "还没有评级": "No ratings yet", "村级评议小组": "Village evaluation panels",
"建立评议小组": "Set up a panel",
"成员由村委成员、包村乡镇干部、驻村工作队和村民代表组成，村民代表不少于五分之二，否则不能签字。每名成员须有本村的评议账号。": "Members are village committee members, the township cadre in charge, the resident work team and villager representatives; representatives must be at least 2/5 or the panel cannot sign. Every member needs an account in this village.",
"成员账号": "Member's account", "身份": "Seat", "建立": "Create", "组成符合要求（村民代表不少于 2/5）": "Composition is valid (representatives at least 2/5)",
"还没有评议小组": "No panels yet", "%(y)s 年评级": "%(y)s rating", "%(y)s 年评级授信": "%(y)s rating and credit lines",
"已评": "Scored", "极差": "Spread", "以下评议人的评分与其他人相差较大，请核实": "These members scored far from the others; please check",
"打印评级授信表（一式三联）": "Print the rating form (three copies)",
"背靠背评议：所有成员提交之前，每人只能看到自己的评分。": "Back-to-back review: until every member has submitted, each sees only their own scores.",
"我的评分": "My scores", "满分": "Max", "提交后不能修改。": "Cannot be changed once submitted.", "提交评分": "Submit scores",
"各成员评分": "Every member's scores", "评议人": "Member", "守信典范与失信典型公示名单": "Public lists of exemplary households and defaulters",
"包括已撤回的": "Include withdrawn", "打印公示": "Print the notice",
"列入名单须有记录在案的决定；列入失信典型可以撤回。": "A listing needs a recorded decision; a defaulter listing can be withdrawn.",
"决定": "Decision", "公示日期": "Published", "撤回理由": "Reason", "撤回": "Withdraw", "名单为空": "The list is empty",
"已评完": "Scored", "退回原因": "Returned because", "乡镇审核": "Township review", "县级审定": "County audit",
"评议小组签字": "Panel signs", "退回原因（退回时必填）": "Reason (required to return)", "乡镇审核通过": "Approve (township)",
"县级审定通过": "Approve (county)", "已评人数": "Sheets", "授信额度": "Credit line", "有偏离": "outlier",
"已提交": "Submitted", "去评分": "Score", "版本": "Versions", "评分指标": "Indicators", "指标": "Indicator",
"计分方式": "Method", "规则": "Rule", "数据来源": "Source", "区间": "Range", "选项": "Option", "公式": "Formula",
"不低于": "at least", "信用等级与授信额度": "Grades and credit lines", "最低分": "Min score", "基础额度（元）": "Base line (yuan)",
"系数": "Coefficient", "未授信": "Unrated", "额度上限": "Cap", "评级有效期": "Rating valid for", "汇总方式": "Aggregation",
"修改草稿": "Edit the draft", "修改说明": "Note on the change", "定义（JSON：items 指标、grades 等级、cap 上限 …）": "Definition (JSON: items, grades, cap …)",
"保存草稿": "Save draft", "预览对现有农户的影响": "Preview the effect on rated households",
"发布后，新的评级使用此版本；已做出的评级仍保留原版本。": "Once published, new ratings use this version; past ratings keep theirs.",
"发布此版本": "Publish this version", "生成新版本草稿": "New draft version", "预览：按此版本重新计分": "Preview: scored again with this version",
"涉及农户": "Households", "额度上调": "Line up", "额度下调": "Line down", "不变": "Unchanged", "无法计分": "Cannot score",
"授信总额（现）": "Total lines (now)", "授信总额（新）": "Total lines (new)", "现有户数": "Households now", "新版户数": "Households new",
"额度变化的农户（前 50 户）": "Households whose line changes (first 50)",
"本县还没有评分表。可以先发布预置的评分表（篇2 信用户分级、篇8 五万元三年、带动大户与合作社），再按本县办法修改。": "This county has no scorecard yet. Publish the presets (篇2 grades, 篇8 50 000 for 3 years, lead households and cooperatives) and adapt them to the county's rules.",
"发布预置评分表": "Publish the presets", "适用对象": "For", "发布时间": "Published", "没有评分表": "No scorecards",
"应贷未贷名单": "Rated households that have not borrowed",
"已评级授信、额度有效、符合准入条件但尚未贷款的农户，供村组干部和信贷员上门对接。": "Households with a valid credit line that meet every eligibility rule but have not borrowed, for cadres and loan officers to visit.",
"没有应贷未贷的农户": "No such households", "信用村评定": "Credit villages", "乡镇": "Township", "已评级": "Rated",
"评级占比": "Share rated", "评定": "Designation", "评定为信用村": "Designate credit village", "评级授信": "Ratings",
"开始整村评级授信": "Start a village rating", "年度": "Year", "行政村": "Village", "评级": "Rating", "元": "yuan",
"户": "households", "签字": "Signed", "评分中": "Scoring", "值": "value", "撤销": "Withdraw", "已撤销": "Withdrawn",
"违约": "Defaults", "退回": "Return", "评级记录": "Ratings", "尚未评级授信。": "Not rated yet.", "农户": "Households",
"符合条件": "Qualifies", "共 %(n)s 户": "%(n)s households", "导出 Excel": "Export to Excel", "查找": "Search",
"户编号": "Household no.", "户主": "Head", "守信与失信公示": "Public reputation lists",
"准入规则": "Eligibility rules", "准入规则与信用村条件": "Eligibility rules and credit-village thresholds",
"每个版本自生效日期起适用；贷款按申请日当天有效的版本判断。": "Each version applies from its effective date; a loan is judged by the version in force on its application date.",
"生效日期": "Effective", "年龄": "Age", "收入线": "Income line", "还款率": "Repayment rate", "有效": "valid for", "年": "years",
"尚未设置，按预置规则判断": "Not set: the preset rules apply", "新版本": "New version", "规则（JSON）": "Rules (JSON)",
"保存新版本": "Save the new version", "评定条件（准入规则）": "Thresholds (eligibility rules)", "信用乡镇": "Credit townships",
"评定为信用乡镇": "Designate credit township", "已评定": "Designated", "户类型": "Status", "类别": "List", "总分": "Total",
})
PLURAL = {"共 %(n)s 条": ("%(n)s entry", "%(n)s entries"), "共 %(n)s 户": ("%(n)s household", "%(n)s households"), "发现 %(n)s 处问题，未导入任何数据。": ("%(n)s problem found; nothing was imported.", "%(n)s problems found; nothing was imported.")}
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = text.replace('"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"')
text = text.replace("#, fuzzy\n", "", 1)
blocks = text.split("\n\n")
missing = []
out = []
for b in blocks:
    b = "\n".join(line for line in b.split("\n") if not line.startswith("#| "))
    b = b.replace("#, fuzzy, python-format", "#, python-format").replace("#, fuzzy\n", "")
    m = re.search(r'^msgid ((?:".*"\n?)+)', b, re.M)
    if not m:
        out.append(b); continue
    msgid = "".join(re.findall(r'"(.*)"', m.group(1)))
    if msgid == "":
        out.append(b); continue
    if msgid in PLURAL:
        one, many = PLURAL[msgid]
        b = re.sub(r'msgstr\[0\] ".*"', f'msgstr[0] "{one}"', b)
        b = re.sub(r'msgstr\[1\] ".*"', f'msgstr[1] "{many}"', b)
    elif msgid in T:
        b = re.sub(r'msgstr ((?:".*"\n?)+)', lambda _: 'msgstr "' + T[msgid].replace('"', '\\"') + '"\n', b).rstrip("\n")
    elif re.search(r'msgstr ""\s*$', b):
        missing.append(msgid)
    out.append(b)
open(path, "w", encoding="utf-8").write("\n\n".join(out))
print("missing:", missing)
