"""The registry-change worklist (issue 28 (3)): after a registry import or a monitoring list, each
household the file changed, compared with what was stored — lifted out of poverty, a member gone
(died or moved), newly monitored, newly registered, its income changed — with its eligibility,
credit line, subsidy standing and open-loan exposure recomputed now, and what the village should
do, village by village. It reads the import's own history events (HouseholdEvent), so it says
exactly what the file changed."""

from __future__ import annotations

from collections import defaultdict
from io import BytesIO

from django.db.models import F, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from fupin.accounts import access
from fupin.core.errors import NotFound
from fupin.households.models import REGISTERED, Household, HouseholdEvent, ImportBatch, RegistryStatus
from fupin.households.selectors import name_heads
from fupin.loans.models import Installment, Loan
from fupin.ratings.selectors import eligibilities

MOST = 500  # households on one worklist page; the Excel holds them all
WATCHED = {"人均纯收入（元）", "家庭年收入（元）", "主要致贫原因"}  # the import's own labels
STATUS_LABELS = dict(RegistryStatus.choices)
TURNS = {STATUS_LABELS["lifted"]: "lifted", STATUS_LABELS["monitored"]: "monitored"}  # a status became


def batch_get(reader, pk: int) -> ImportBatch:
    """An import whose worklist the reader may open: any import of the county the reader works in
    (a county's file reaches every village; the rows are the reader's households only)."""
    batch = (
        ImportBatch.objects.filter(access.county_q(reader, "household.view", "division_code"), pk=pk)
        .exclude(division_code="")
        .first()
    )
    if batch is None or batch.state != ImportBatch.State.IMPORTED:
        raise NotFound("导入批次不存在、未导入或不在您的辖区内", code="batch_missing")
    return batch


def worklist(reader, batch: ImportBatch, limit: int | None = MOST) -> list[dict]:
    """The batch's changed households the reader may see, by village: each with why it is listed,
    its standing recomputed today and the action the village should take."""
    events = (
        HouseholdEvent.objects.filter(batch=batch)
        .order_by("household_id", "id")
        .values_list("household_id", "kind", "field", "before", "after", "person_name")
    )
    why: dict[int, list[tuple]] = defaultdict(list)
    for hid, *rest in events:
        why[hid].append(tuple(rest))
    households = list(
        access.visible(reader, Household.objects.filter(pk__in=list(why)), "household.view")
        .select_related("village")
        .order_by("village_id", "registry_no")[:limit]
    )
    name_heads(households)
    exposure = dict(
        Installment.objects.filter(loan__household__in=households, loan__state=Loan.State.ACTIVE)
        .values_list("loan__household_id")
        .annotate(p=Sum(F("principal") - F("principal_paid")))
    )
    today = timezone.localdate()
    verdicts = eligibilities(households, today)  # in a fixed number of queries, not per household
    villages: dict[str, dict] = {}
    for hh in households:
        reasons, flags = _reasons(why[hh.pk])
        if not reasons:
            continue
        verdict, line = verdicts[hh.pk]
        row = {
            "household": hh,
            "reasons": reasons,
            "eligible": verdict.eligible,
            "failures": [f.message for f in verdict.failures],
            "line": line.amount if line is not None and line.valid_until >= today else None,
            "subsidy": hh.status in REGISTERED
            and verdict.eligible
            and (line is None or line.subsidy_barred_from is None or line.subsidy_barred_from > today.year),
            "exposure": exposure.get(hh.pk, 0),
        }
        row["actions"] = _actions(row, flags)
        v = villages.setdefault(hh.village_id, {"code": hh.village_id, "name": hh.village.name, "rows": []})
        v["rows"].append(row)
    return list(villages.values())


def _reasons(events: list[tuple]) -> tuple[list[str], set[str]]:
    """Why the household is on the list, in words, and the kinds of change (flags for actions)."""
    out, flags = [], set()
    for kind, field, before, after, person in events:
        if kind == HouseholdEvent.Kind.CREATED:
            out.append(f"新建档（{after or '—'}）")
            flags.add("new")
        elif kind == HouseholdEvent.Kind.STATUS:
            out.append(f"户类型：{before or '—'} → {after}")
            flags.add(
                {STATUS_LABELS["lifted"]: "lifted", STATUS_LABELS["monitored"]: "monitored"}.get(
                    after, "status"
                )
            )
        elif kind == HouseholdEvent.Kind.MEMBER_OUT:
            out.append(f"成员减少：{person}（{after or before or '迁出或死亡'}）")
            flags.add("head_left" if before == "户主" else "member_left")
        elif kind == HouseholdEvent.Kind.MEMBER_IN:
            out.append(f"成员增加：{person}")
            flags.add("member_in")
        elif kind == HouseholdEvent.Kind.CHANGED and field in WATCHED:
            out.append(f"{field}：{before or '—'} → {after or '—'}")
            flags.add("income")
    return out, flags


def _actions(row: dict, flags: set[str]) -> list[str]:
    """What the village should do about the household (a worklist, not a decision)."""
    out = []
    if not row["eligible"] and row["line"]:
        out.append("暂停使用授信额度，提请复核评级")
    if row["exposure"] and ({"lifted", "head_left"} & flags or not row["eligible"]):
        out.append("贷后回访，核实还款来源与继承人/共同还款人")
    if ({"monitored", "new"} & flags) and row["eligible"] and row["line"] is None:
        out.append("纳入评级授信（补评）")
    if "income" in flags and row["line"]:
        out.append("按新的收入复核授信额度")
    if "lifted" in flags and row["subsidy"]:
        out.append("核对过渡期内贴息政策")
    return out or ["核对档案变更"]


HEADER = [
    "行政村",
    "户主",
    "户编号",
    "变化",
    "符合准入",
    "不符合的条件",
    "授信额度（元）",
    "在贷余额（元）",
    "可享贴息",
    "建议",
]


def worklist_xlsx(batch: ImportBatch, villages: list[dict]) -> bytes:
    """The worklist as a workbook: one sheet, a row per household, for the villages to work through."""
    wb = Workbook()
    ws = wb.active
    ws.title = "变更工作清单"
    ws.append([f"名单变更工作清单 · 导入 #{batch.pk} {batch.file_name}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for v in villages:
        for r in v["rows"]:
            hh = r["household"]
            ws.append(
                [
                    v["name"],
                    hh.head_name,
                    hh.registry_no,
                    "；".join(r["reasons"]),
                    "是" if r["eligible"] else "否",
                    "；".join(r["failures"]),
                    float(r["line"]) if r["line"] is not None else None,
                    r["exposure"] / 100,
                    "是" if r["subsidy"] else "否",
                    "；".join(r["actions"]),
                ]
            )
    for col, width in zip("ABCDEFGHIJ", (12, 10, 16, 40, 8, 40, 12, 12, 8, 36), strict=True):
        ws.column_dimensions[col].width = width
    ws.print_title_rows = "2:2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
