"""Database triggers that refuse UPDATE and DELETE on the audit log (defence in depth:
the application itself offers no way to change an entry)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION fupin_audit_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志不可修改或删除 / audit entries are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_immutable
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION fupin_audit_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditentry_immutable ON audit_auditentry;
DROP FUNCTION IF EXISTS fupin_audit_immutable();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, '审计日志不可修改 / audit entries are immutable'); END;""",
    """CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, '审计日志不可删除 / audit entries are immutable'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
