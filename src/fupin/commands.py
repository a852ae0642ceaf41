"""Base for the project's management commands: bad options get one Chinese line on stderr
and exit status 2 (never a traceback), as every ``fupin`` command contract says."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser


class ChineseErrorParser(CommandParser):
    def error(self, message):
        sys.stderr.write(f"命令参数有误：{message}\n")
        sys.exit(2)


class FupinCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ChineseErrorParser
        return parser

    def fail(self, message: str) -> None:
        """One Chinese line on stderr, exit status 2."""
        sys.stderr.write(message.rstrip("\n") + "\n")
        sys.exit(2)

    def problems(self, problems: list[dict], limit: int = 200) -> None:
        """An import's problems on stderr, one a line: file, row, column, value, what is wrong."""
        for p in problems[:limit]:
            where = [
                p.get("file", ""),
                f"第 {p['row']} 行" if p.get("row") else "",
                p.get("field", ""),
                f"“{p['value']}”" if p.get("value") else "",
            ]
            sys.stderr.write(f"  {' '.join(w for w in where if w)} {p['message']}\n")
        if len(problems) > limit:
            sys.stderr.write(f"  ……共 {len(problems)} 处\n")
