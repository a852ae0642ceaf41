"""The demo county's registry: N synthetic households with members, written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from fupin import bulk
from fupin.core.idcard import mask_id, mask_phone
from fupin.households.models import Household, HouseholdEvent, Person, RegistryStatus
from fupin.households.pii import vault
from fupin.households.rows import EVENTS, HOUSEHOLDS, PERSONS

from .people import LIFTING, SKILL, household

LABOUR = {"有劳动能力": "full", "弱劳动力": "weak", "无劳动力": "none"}
STATUS_LABEL = dict(RegistryStatus.choices)
BATCH = 20_000


def build(*, villages: list[str], households: int, seed: int, today: dt.date, progress=None) -> int:
    rng = random.Random(seed * 7919 + 1)
    v = vault()
    now = timezone.now()
    per_village = [
        households // len(villages) + (1 if i < households % len(villages) else 0)
        for i in range(len(villages))
    ]
    used: set[str] = set()
    hh_rows: list[tuple] = []
    person_rows: list[tuple] = []
    event_rows: list[tuple] = []
    made = 0

    def flush() -> None:
        bulk.insert(Household, HOUSEHOLDS.columns, hh_rows)
        bulk.insert(Person, PERSONS.columns, person_rows)
        bulk.insert(HouseholdEvent, EVENTS.columns, event_rows)
        hh_rows.clear()
        person_rows.clear()
        event_rows.clear()

    ids = iter(bulk.reserve_ids(Household, households))
    person_ids = iter(bulk.reserve_ids(Person, households * 6))
    for code, n in zip(villages, per_village, strict=True):
        for i in range(1, n + 1):
            s = household(rng, code, i, today, used)
            hid = next(ids)
            hh_rows.append(
                HOUSEHOLDS.row(
                    {
                        "id": hid,
                        "county_code": code[:6],
                        "village_id": code,
                        "registry_no": s.registry_no,
                        "status": s.status,
                        "status_year": s.status_year,
                        "lifted_year": s.lifted_year,
                        "lifting_attribute": LIFTING[s.status],
                        "poverty_attribute": "一般贫困户",
                        "main_cause": s.cause,
                        "member_count": len(s.members),
                        "income_per_capita": Decimal(s.income_per_capita),
                        "income_total": Decimal(s.income_per_capita * len(s.members)),
                        "income_sources": rng.choice(["种植", "养殖", "务工", "种植、务工", "养殖、务工"]),
                        "tags": ["重点村"] if int(code[-3:]) % 5 == 1 else [],
                        "_now": now,
                    }
                )
            )
            for m in s.members:
                n_id = m.id_number
                person_rows.append(
                    PERSONS.row(
                        {
                            "id": next(person_ids),
                            "household_id": hid,
                            "county_code": code[:6],
                            "village_code": code,
                            "name": m.name,
                            "id_cipher": v.encrypt(n_id),
                            "id_index": v.index(n_id),
                            "id_masked": mask_id(n_id),
                            "birth_date": dt.date(int(n_id[6:10]), int(n_id[10:12]), int(n_id[12:14])),
                            "sex": "男" if int(n_id[16]) % 2 else "女",
                            "is_head": m.relationship == "户主",
                            "relationship": m.relationship,
                            "labour": LABOUR[m.labour],
                            "labour_skill": SKILL[m.labour],
                            "health": m.health,
                            "education": m.education,
                            "phone_cipher": v.encrypt(m.phone) if m.phone else None,
                            "phone_index": v.index(m.phone) if m.phone else "",
                            "phone_masked": mask_phone(m.phone) if m.phone else "",
                        }
                    )
                )
            event_rows.append(
                EVENTS.row(
                    {
                        "household_id": hid,
                        "kind": "created",
                        "field": "户类型",
                        "_now": now,
                        "person_name": s.members[0].name,
                        "after": f"{STATUS_LABEL[s.status]}，{len(s.members)} 人",
                    }
                )
            )
            made += 1
            if len(hh_rows) >= BATCH:
                flush()
                if progress:
                    progress(f"农户档案：{made} 户")
    if hh_rows:
        flush()
    return made
