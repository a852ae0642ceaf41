"""Production settings pass ``check --deploy`` with no warning."""

import os
import subprocess
import sys
from pathlib import Path

FUPIN = str(Path(sys.executable).with_name("fupin"))


def test_check_deploy_is_clean(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "fupin.settings",
        "FUPIN_PRODUCTION": "1",
        "FUPIN_SECRET_KEY": "k3!v9#Qz7@pL2$wX8^mN4&bR6*tY1(uJ5)hG0_fD-sA=eC+iO~lK",
        "FUPIN_DATA_KEY": "Q7x-prod-Data-key_for9Test2only0123456789",
        "FUPIN_ALLOWED_HOSTS": "fupin.example.cn",
        "FUPIN_STATIC_ROOT": str(tmp_path / "static"),
    }
    r = subprocess.run(
        [FUPIN, "check", "--deploy", "--fail-level", "WARNING"], capture_output=True, text=True, env=env
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_refuses_a_weak_data_key(tmp_path):
    base = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "fupin.settings",
        "FUPIN_PRODUCTION": "1",
        "FUPIN_SECRET_KEY": "k3!v9#Qz7@pL2$wX8^mN4&bR6*tY1(uJ5)hG0_fD-sA=eC+iO~lK",
        "FUPIN_ALLOWED_HOSTS": "fupin.example.cn",
        "FUPIN_STATIC_ROOT": str(tmp_path / "static"),
    }
    for weak in ("x", "fupin-dev-data-key-0123456789", "a" * 40, "abababababababababababababababababab"):
        r = subprocess.run(
            [FUPIN, "check", "--deploy"], capture_output=True, text=True, env={**base, "FUPIN_DATA_KEY": weak}
        )
        assert (
            r.returncode != 0
            and "fupin.E001" in r.stderr + r.stdout
            and "FUPIN_DATA_KEY" in r.stderr + r.stdout
        ), weak


def test_production_without_secret_key_refuses_to_start():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fupin.settings",
        "FUPIN_PRODUCTION": "1",
        "FUPIN_SECRET_KEY": "",
    }
    r = subprocess.run([FUPIN, "check"], capture_output=True, text=True, env=env)
    assert r.returncode != 0
    assert "FUPIN_SECRET_KEY" in r.stderr
