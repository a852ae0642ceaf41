"""Notices anyone can verify (issue 28 (4)): the printed 公示 carries a QR code to a public page the
server signed, showing the same list with names masked and the same fingerprint; a token the
server did not sign opens nothing."""

from __future__ import annotations

import re
import subprocess

from fupin.web import verify
from tests.cob.conftest import today
from tests.loans.conftest import hh  # noqa: F401
from tests.loans.test_origination import apply, to_notice
from tests.ratings.conftest import rt  # noqa: F401


def test_a_printed_notice_and_its_public_page_carry_the_same_fingerprint(rt, hh, tmp_path):  # noqa: F811
    notice = to_notice(rt, apply(rt, hh))
    pdf = rt.world.client("village_cadre").get(f"/loans/notices/{notice.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "n.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True, check=True
    )
    printed = re.search(r"指纹 ([0-9a-f]{16})", text.stdout.replace("\n", "")).group(1)
    from fupin.loans.exports import notice_pdf

    assert "扫码核验" in text.stdout  # and the QR code, drawn as vector paths beside it:
    assert len(pdf.content) > len(notice_pdf(notice)) + 2_000  # the same notice printed without it

    page = rt.world.client(None).get(f"/v/{verify.token('notice', notice.pk)}/")  # anyone, signed out
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<strong id="digest">{printed}</strong>' in html and "本系统签发" in html
    head = hh.members.get(is_head=True, left_on__isnull=True).name
    assert head not in html and verify.mask_name(head) in html  # masked
    tampered = verify.token("notice", notice.pk)[:-2] + "xx"
    assert rt.world.client(None).get(f"/v/{tampered}/").status_code == 404
    other = rt.world.client(None).get(f"/v/{verify.token('notice', notice.pk + 999)}/")
    assert other.status_code == 404


def test_names_are_masked_and_fingerprints_follow_the_list():
    assert [verify.mask_name(n) for n in ("王小明", "王明", "王", "欧阳小明")] == [
        "王*明",
        "王*",
        "王",
        "欧*明",
    ]
    assert verify.digest([[1, "王*明", "1000.00"]]) != verify.digest([[1, "王*明", "1000.01"]])
    assert len(verify.digest([])) == 16 and verify.read("forged") is None


def test_a_villager_objects_from_the_public_page_with_an_sms_code(rt, hh, settings):  # noqa: F811
    """A villager on the registry objects with their ID number and a code sent to the phone the
    registry holds: the objection lands with the others and stops the approval (R-APP-2)."""
    from fupin.households.pii import vault
    from fupin.loans.models import Objection
    from fupin.selfservice import senders

    settings.FUPIN_OTP_SENDER = "fupin.selfservice.senders.memory_sender"
    senders.OUTBOX.clear()
    app = apply(rt, hh)
    notice = to_notice(rt, app, start=today())  # open today
    neighbour = next(
        p for h in rt.households[1:] for p in h.members.filter(left_on__isnull=True) if p.phone_cipher
    )
    id_number = vault().decrypt(bytes(neighbour.id_cipher))
    c, signed = rt.world.client(None), verify.token("notice", notice.pk)
    page = c.get(f"/v/{signed}/").content.decode()
    assert 'id="objection"' in page and f'<option value="{app.pk}">1. ' in page
    c.post(f"/v/{signed}/code/", {"id_number": id_number})
    phone, _ = senders.OUTBOX[-1]
    assert phone == vault().decrypt(bytes(neighbour.phone_cipher))  # the phone the registry holds
    wrong = c.post(
        f"/v/{signed}/objection/",
        {
            "id_number": id_number,
            "code": "000000",
            "application": app.pk,
            "text": "该户常年在外打工，项目不实",
        },
    )
    assert wrong.status_code in (403, 422) and not Objection.objects.exists()
    c.post(f"/v/{signed}/code/", {"id_number": id_number})
    code = re.search(r"(\d{6})", senders.OUTBOX[-1][1]).group(1)
    r = c.post(
        f"/v/{signed}/objection/",
        {"id_number": id_number, "code": code, "application": app.pk, "text": "该户常年在外打工，项目不实"},
    )
    assert r.status_code == 200 and "异议已登记" in r.content.decode()
    objection = Objection.objects.get()
    assert objection.application_id == app.pk and objection.text == "该户常年在外打工，项目不实"
    assert objection.filed_by.username == f"hh{neighbour.household_id}"  # the villager's own sign-in
