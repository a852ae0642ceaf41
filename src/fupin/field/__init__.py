"""The village kit (村级离线包, issue 27 (8)): an installable web app in which a village cadre or a
loan officer scores households, takes a group meeting's collection and records visits with no
signal. The phone keeps a kit of what it needs; entries wait on the phone under idempotency keys
and are sent when the signal returns, each answered as recorded, already recorded, or refused
with the server's own reason."""
