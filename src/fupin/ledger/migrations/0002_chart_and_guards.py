"""The preset chart of accounts, and the database's own guards on the ledger: posted rows are
immutable everywhere; on PostgreSQL an entry whose debits differ from its credits cannot
commit (a deferred constraint trigger, checked once all its postings are in)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION fupin_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '已记账的分录不可修改或删除，请做冲正分录 / posted entries are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION fupin_ledger_immutable();
CREATE TRIGGER ledger_posting_immutable BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION fupin_ledger_immutable();

CREATE OR REPLACE FUNCTION fupin_ledger_balanced() RETURNS trigger AS $$
DECLARE d bigint; c bigint; n integer;
BEGIN
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*) INTO d, c, n
      FROM ledger_posting WHERE entry_id = NEW.entry_id;
    IF d <> c OR n < 2 THEN
        RAISE EXCEPTION '借贷不平衡的分录不能记账 / unbalanced journal entry % (debit %, credit %)', NEW.entry_id, d, c;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fupin_ledger_balanced();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP FUNCTION IF EXISTS fupin_ledger_balanced();
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
DROP FUNCTION IF EXISTS fupin_ledger_immutable();
"""
SQLITE_TABLES = ("ledger_journalentry", "ledger_posting")


ACCOUNTS = (  # as the chart stood when this migration was written (code, name, kind)
    ("1011", "现金及结算", "asset"),
    ("1132", "应收利息", "asset"),
    ("1221", "应收财政贴息", "asset"),
    ("1301", "贷款本金", "asset"),
    ("2011", "农户保证金存款", "liability"),
    ("2241", "代收担保费", "liability"),
    ("2251", "农户溢缴款", "liability"),
    ("2901", "风险补偿金", "liability"),
    ("6011", "利息收入", "income"),
    ("6012", "罚息收入", "income"),
    ("6013", "核销后收回", "income"),
    ("6701", "贷款核销", "expense"),
)


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.bulk_create([Account(code=c, name=n, kind=k) for c, n, k in ACCOUNTS], ignore_conflicts=True)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for t in SQLITE_TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
                    f"BEGIN SELECT RAISE(ABORT, '已记账的分录不可修改或删除 / posted entries are immutable'); END;")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for t in SQLITE_TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_no_{op};")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
