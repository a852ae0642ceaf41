"""The close-of-business batch's own records (R-REP-5): one run per business date, the chunks
it was cut into (each committed with its work, so a run killed halfway resumes where it
stopped), next day's collection lists and the villages' month-end recovery rates (R-RPT-4)."""

from __future__ import annotations

from django.db import models


class CobRun(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"

    date = models.DateField("营业日", unique=True)
    previous = models.DateField("上一营业日", null=True, blank=True)  # None: the first run ever
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.RUNNING)
    workers = models.PositiveSmallIntegerField("进程数", default=1)
    # set once the balances phase is over: from then on processes on other machines may take
    # chunks (``fupin cob --join``, services.cob_join)
    chunks_open = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField("汇总", default=dict)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"日终 {self.date}"


class CobChunk(models.Model):
    """Loans ``first``…``last`` of one county: the unit of work, of commit and of a worker."""

    run = models.ForeignKey(CobRun, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    county = models.CharField(max_length=12)
    first = models.BigIntegerField()
    last = models.BigIntegerField()
    loans = models.PositiveIntegerField()
    done = models.BooleanField(default=False)
    stats = models.JSONField(default=dict)

    class Meta:
        ordering = ["run_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="cob_chunk_seq_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.seq}"


class CobEvent(models.Model):
    """A loan that fell late or into default during a run: its household's grade moves when the
    run finishes (R-RAT-4)."""

    run = models.ForeignKey(CobRun, on_delete=models.CASCADE, related_name="events")
    loan_id = models.BigIntegerField()
    household_id = models.BigIntegerField()
    event = models.CharField(max_length=16)

    def __str__(self) -> str:
        return f"{self.event} {self.loan_id}"


class CollectionItem(models.Model):
    """One loan on a village's collection list for ``date`` (催收/收款清单): what falls due that
    day and what is already overdue."""

    date = models.DateField("收款日")
    village_code = models.CharField(max_length=12)
    # written afresh every night (≈ 100 000 rows for a million loans) and read by date and
    # village: no foreign-key check or loan index in the database, each a cost a row at the close
    # (docs/performance.md; loans are never deleted; Django still cascades if one were)
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    due = models.BigIntegerField("当日应还（分）", default=0)
    arrears = models.BigIntegerField("逾期欠款（分）", default=0)
    dpd = models.PositiveIntegerField("逾期天数", default=0)

    SCOPE_FIELD = "village_code"
    INSTITUTION_FIELD = "loan__institution"  # the lender (issue 25): bank roles see their own
    INSTITUTION_ATTR = "loan__institution_id"

    class Meta:
        ordering = ["date", "village_code", "loan_id"]
        indexes = [models.Index(fields=["date", "village_code"])]

    def __str__(self) -> str:
        return f"{self.date} {self.loan_id}"


class VillageMonth(models.Model):
    """A village's recovery on amounts due this year at a month-end and its suspension state
    (R-RPT-4: below 98 % three month-ends running suspends new loans until back at 98 %)."""

    village_code = models.CharField(max_length=12)
    month = models.DateField("月末")
    due = models.BigIntegerField("本年到期（分）")
    repaid = models.BigIntegerField("已收回（分）")
    below = models.BooleanField("低于 98%")
    suspended = models.BooleanField("暂停新增贷款")

    SCOPE_FIELD = "village_code"

    class Meta:
        ordering = ["village_code", "-month"]
        constraints = [models.UniqueConstraint(fields=["village_code", "month"], name="village_month_unique")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.month}"

    @property
    def rate(self):
        """The recovery rate to six decimals (None when nothing was due this year)."""
        from decimal import ROUND_HALF_UP, Decimal

        if not self.due:
            return None
        return (Decimal(self.repaid) / Decimal(self.due)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
