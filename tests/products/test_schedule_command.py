"""``fupin schedule``: the contract other tools call (issue 3)."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from fupin.cli import main

pytestmark = pytest.mark.django_db  # the command reads the holiday days an administrator entered

FUPIN = str(Path(sys.executable).with_name("fupin"))
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "fupin.settings"}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """The command in-process, through the same entry point as the console script."""

    def call(*args):
        capsys.readouterr()
        code = 0
        try:
            main(["fupin", "schedule", *args])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return call


def test_console_script_json_contract_for_p_group():
    r = subprocess.run(
        [FUPIN, "schedule", "--product", "group", "--principal", "20000", "--start", "2026-03-02", "--json"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == [
        "product",
        "principal",
        "nominal_rate",
        "apr",
        "ear",
        "disbursement_date",
        "upfront",
        "installments",
        "totals",
    ]
    assert out["product"] == "group" and out["principal"] == "20000.00"
    assert out["nominal_rate"] == "0.080000" and out["apr"] == "0.153735" and out["ear"] == "0.165918"
    assert out["disbursement_date"] == "2026-03-02"
    assert out["upfront"] == {"interest": "800.00", "fees": "0.00", "deposit": "0.00"}
    first = out["installments"][0]
    assert first == {
        "seq": 1,
        "due_date": "2026-03-16",
        "principal": "400.00",
        "interest": "0.00",
        "fees": "0.00",
        "total": "400.00",
        "balance": "19600.00",
    }
    assert len(out["installments"]) == 50
    assert out["installments"][-1]["interest"] == "800.00" and out["installments"][-1]["balance"] == "0.00"
    assert out["totals"] == {"principal": "20000.00", "interest": "1600.00", "fees": "0.00"}
    assert sum(Decimal(i["principal"]) for i in out["installments"]) == Decimal("20000.00")


def test_options_override_the_preset(run):
    r = run(
        "--product",
        "custom",
        "--principal",
        "100000",
        "--start",
        "2026-01-31",
        "--rate",
        "0.06",
        "--term",
        "12",
        "--shape",
        "equal_installment",
        "--frequency",
        "monthly",
        "--json",
    )
    out = json.loads(r.stdout)
    assert out["installments"][0]["due_date"] == "2026-02-28"
    assert out["installments"][0]["total"] == "8606.64"
    assert out["apr"] == "0.060000"
    r = run(
        "--product",
        "seasonal",
        "--principal",
        "10000",
        "--start",
        "2026-03-10",
        "--term",
        "3",
        "--installment-multiple",
        "1",
        "--json",
    )
    assert len(json.loads(r.stdout)["installments"]) == 3


def test_readable_chinese_table(run):
    r = run("--product", "seasonal", "--principal", "10000", "--start", "2026-03-10")
    assert r.returncode == 0
    assert (
        "名义年利率：16.5000%" in r.stdout
        and "年化利率（IRR法，APR）" in r.stdout
        and "实际年利率（EAR）" in r.stdout
    )
    assert "保证金 500.00" in r.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--product", "group", "--principal", "0", "--start", "2026-03-02"], "本金必须大于零"),
        (["--product", "group", "--principal", "-100", "--start", "2026-03-02"], "本金不能为负数"),
        (
            [
                "--product",
                "custom",
                "--principal",
                "100",
                "--start",
                "2026-03-02",
                "--rate",
                "1.2",
                "--term",
                "3",
            ],
            "[0, 1)",
        ),
        (
            [
                "--product",
                "custom",
                "--principal",
                "100",
                "--start",
                "2026-03-02",
                "--rate",
                "-0.1",
                "--term",
                "3",
            ],
            "[0, 1)",
        ),
        (
            ["--product", "seasonal", "--principal", "10000", "--start", "2026-03-02", "--term", "5"],
            "期限只能是",
        ),
        (["--product", "bank", "--principal", "100", "--start", "2026-03-02"], "未知的产品"),
        (
            [
                "--product",
                "custom",
                "--principal",
                "100",
                "--start",
                "2026-03-02",
                "--rate",
                "0.1",
                "--term",
                "3",
                "--shape",
                "zigzag",
            ],
            "未知的还款方式",
        ),
        (["--product", "group", "--principal", "20000", "--start", "2026-02-30"], "不是有效日期"),
        (["--product", "group", "--principal", "abc", "--start", "2026-03-02"], "不是有效金额"),
        (
            ["--product", "group", "--principal", "20000", "--start", "2026-03-02", "--term", "x"],
            "必须是整数",
        ),
        (["--product", "group"], "命令参数有误"),
    ],
)
def test_bad_input_exits_2_with_one_chinese_line(run, args, words):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr
    assert "Traceback" not in r.stderr
