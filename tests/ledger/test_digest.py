"""Each exported table carries the fingerprint of the journal entries it was made from (issue 28
(4)); an auditor recomputes it from the ledger with ``fupin ledger-digest``; it moves when the
books do."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO, StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from tests.cob.conftest import past_loan, today
from tests.loans.conftest import hh  # noqa: F401
from tests.ratings.conftest import rt  # noqa: F401

LINE = re.compile(
    r"账本摘要：截至 (\S+) 的 (\d+) 笔记账凭证，SHA-256 ([0-9a-f]{64})（复算：fupin ledger-digest (.+)）"
)


def exported(client, county: str) -> re.Match:
    sheet = client.get(f"/reports/fu3.xlsx?division={county}&period={today():%Y-%m}").content
    cells = [c for row in load_workbook(BytesIO(sheet)).active.iter_rows(values_only=True) for c in row if c]
    return next(m for c in cells if (m := LINE.match(str(c))))


def again(args: str) -> str:
    out = StringIO()
    call_command("ledger-digest", *args.split(), stdout=out)
    return out.getvalue()


def test_an_export_carries_its_books_fingerprint_which_the_ledger_reproduces(rt, hh):  # noqa: F811
    from fupin.loans.repayments import repayment_post

    loan = past_loan(rt, hh, today() - dt.timedelta(days=40))
    c = rt.world.client("poverty_office")
    county = rt.world.village[:6] + "000000"
    first = exported(c, county)
    upto, entries, digest, args = first.groups()
    assert int(entries) >= 1 and f"SHA-256 {digest}" in again(args)  # the auditor's recomputation
    repayment_post(acting_user=rt.world.user("loan_officer"), loan=loan, amount=1_000, key="digest-test-1")
    moved = exported(c, county)
    assert int(moved.group(2)) == int(entries) + 1 and moved.group(3) != digest
    assert f"SHA-256 {moved.group(3)}" in again(moved.group(4))


def test_a_printed_table_s_qr_code_opens_its_books_fingerprint(rt, hh, tmp_path):  # noqa: F811
    """The 附表 PDF's QR code opens a public page stating the same fingerprint as the paper."""
    import subprocess

    from fupin.web import verify

    past_loan(rt, hh, today() - dt.timedelta(days=40))
    county = rt.world.village[:6] + "000000"
    period = f"{today():%Y-%m}"
    pdf = rt.world.client("poverty_office").get(f"/reports/fu3.pdf?division={county}&period={period}").content
    (tmp_path / "t.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True, check=True
    )
    printed = re.search(r"SHA-256 ([0-9a-f]{64})", text.stdout.replace("\n", "")).group(1)
    page = rt.world.client(None).get(f"/v/{verify.token('table', 0, f'fu3|{county}|{period}|')}/")
    assert page.status_code == 200 and f"SHA-256 {printed}" in page.content.decode()


def test_the_indicators_and_rankings_workbooks_name_the_same_books(rt, hh):  # noqa: F811
    past_loan(rt, hh, today() - dt.timedelta(days=40))
    c = rt.world.client("poverty_office")
    county = rt.world.village[:6] + "000000"
    table = exported(c, county).group(3)
    for path in ("/reports/indicators/", "/reports/rankings/"):
        book = c.get(path, {"division": county, "period": f"{today():%Y-%m}", "format": "xlsx"}).content
        sheet = load_workbook(BytesIO(book))["账本摘要"]
        assert f"SHA-256 {table}" in sheet["A2"].value
