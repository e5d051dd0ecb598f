"""``nuanxin import-registry FILE.xlsx``: load enterprise and worker ledgers from Excel."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from nuanxin.accounts.models import User, normalize_phone
from nuanxin.core.errors import ApplicationError
from nuanxin.registry.exporting import error_report, template_workbook
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import ImportMode, ImportStatus, SurveyCampaign

STAGES = {"read": "读取", "check": "校验", "write": "写入"}
SHOWN_ERRORS = 30


class _Bars:
    """One tqdm bar per stage, fed by the importer's progress callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(
                total=total or None, desc=STAGES.get(stage, stage), unit="行", leave=True
            )
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = (
        "导入企业台账、从业人员台账（.xlsx，中文表头）。默认全部成功才写入；"
        "--dry-run 只校验；--row-by-row 跳过有错误的行并写出错误报告。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--row-by-row", action="store_true", help="逐行导入：写入正确的行，跳过有错误的行"
        )
        parser.add_argument("--errors", help="错误报告的保存路径（默认：<文件名>-错误报告.xlsx）")
        parser.add_argument("--user", help="以该手机号用户的身份导入（按其管辖范围校验）")
        parser.add_argument("--campaign", type=int, help="记入该三找行动（行动编号）")
        parser.add_argument("--template", help="把空白导入模板写到该路径后退出")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["template"]:
            Path(options["template"]).write_bytes(template_workbook())
            self.stdout.write(f"已写出空白模板：{options['template']}")
            return
        if not options["file"]:
            raise CommandError("请指定要导入的 .xlsx 文件。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if options["dry_run"] and options["row_by_row"]:
            raise CommandError("--dry-run 与 --row-by-row 只能选一个。")
        mode = ImportMode.ALL_OR_NOTHING
        if options["dry_run"]:
            mode = ImportMode.DRY_RUN
        elif options["row_by_row"]:
            mode = ImportMode.ROW_BY_ROW
        actor = None
        if options["user"]:
            actor = User.objects.filter(phone=normalize_phone(options["user"])).first()
            if actor is None:
                raise CommandError(f"找不到用户：{options['user']}")
        campaign = None
        if options["campaign"]:
            campaign = SurveyCampaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"找不到三找行动：{options['campaign']}")
        bars = _Bars(not options["no_progress"])
        try:
            with path.open("rb") as handle:
                outcome = import_file(
                    file=handle,
                    actor=actor,
                    mode=mode,
                    file_name=path.name,
                    campaign=campaign,
                    progress=bars,
                )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        finally:
            bars.close()
        self._report(outcome.job, path, options["errors"])

    def _report(self, job: Any, path: Path, errors_path: str | None) -> None:
        labels = {"enterprise": "企业", "worker": "从业人员"}
        for kind, counts in job.counts.items():
            if not any(counts.values()):
                continue
            self.stdout.write(
                f"{labels[kind]}：新增 {counts['created']}，更新 {counts['updated']}，"
                f"无变化 {counts['unchanged']}，有错误 {counts['failed']}"
            )
        for issue in job.warnings[:SHOWN_ERRORS]:
            row = f"第 {issue['row']} 行 " if issue["row"] else ""
            self.stdout.write(f"提示：{issue['sheet']} {row}{issue['column']}：{issue['message']}")
        for issue in job.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                f"{issue['sheet']} 第 {issue['row']} 行 {issue['column']}：{issue['message']}"
            )
        if len(job.errors) > SHOWN_ERRORS:
            self.stderr.write(f"……另有 {len(job.errors) - SHOWN_ERRORS} 处问题，见错误报告。")
        if job.errors:
            target = (
                Path(errors_path) if errors_path else path.with_name(f"{path.stem}-错误报告.xlsx")
            )
            target.write_bytes(error_report(job))
            self.stdout.write(f"错误报告：{target}")
        self.stdout.write(
            f"结果：{job.get_status_display()}（导入记录 #{job.pk}，{job.duration_ms} 毫秒）"
        )
        if job.status == ImportStatus.FAILED:
            raise CommandError("文件中有错误，未写入任何数据；请按错误报告修改后重新导入。")
