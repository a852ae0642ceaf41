import json
import sys

from fupin.commands import FupinCommand
from fupin.core.apr import disclose
from fupin.core.errors import DomainError
from fupin.core.products import preset
from fupin.core.schedule import generate
from fupin.products import calendar
from fupin.products.schedule_io import schedule_json, schedule_table, terms_from_options


class Command(FupinCommand):
    help = "生成还款计划并披露年化利率 / Repayment schedule with nominal rate, APR and EAR"

    def add_arguments(self, parser):
        parser.add_argument("--product", required=True, help="group|seasonal|subsidy|annual|lead|custom")
        parser.add_argument("--principal", required=True, help="本金（元） / principal in yuan")
        parser.add_argument("--start", required=True, help="放款日 YYYY-MM-DD / disbursement date")
        parser.add_argument("--rate", help="年利率（小数，如 0.08） / annual rate as a fraction")
        parser.add_argument("--term", help="期限 / term")
        parser.add_argument("--term-unit", help="day|week|month")
        parser.add_argument(
            "--shape", help="equal_installment|equal_principal|interest_only|bullet|flat|fixed_percent"
        )
        parser.add_argument("--frequency", help="weekly|biweekly|monthly|quarterly|maturity")
        parser.add_argument("--interest-basis", help="period|act360|act365")
        parser.add_argument("--rounding", help="half_up|half_even")
        parser.add_argument(
            "--installment-multiple", help="每期合计取整单位（元），如 1 / round instalments to this unit"
        )
        parser.add_argument("--principal-grace", help="只付息不还本的期数 / interest-only periods")
        parser.add_argument("--settlement-day", help="固定结息日 / fixed settlement day of month")
        parser.add_argument("--holiday-shift", help="none|next")
        parser.add_argument("--json", action="store_true", help="输出 JSON / JSON output")

    def handle(self, *args, **o):
        calendar.sync(optional=True)  # the days an administrator entered, where there is a database
        try:
            product = preset(o["product"])
            schedule = generate(terms_from_options(product, o))
            disclosure = disclose(schedule)
        except DomainError as e:
            self.fail(e.message)
        if o["json"]:
            self.stdout.write(
                json.dumps(schedule_json(product.code, schedule, disclosure), ensure_ascii=False)
            )
            for note in schedule.notes:
                sys.stderr.write(f"注：{note}\n")
        else:
            self.stdout.write(schedule_table(product, schedule, disclosure))
