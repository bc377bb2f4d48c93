"""``flask draws verify MANIFEST.json``: recompute a draw from its manifest (核验)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from riskctl.core.errors import ValidationFailed
from riskctl.draws.engine.draw import result_as_dict
from riskctl.draws.runner import recompute

draws_cli = AppGroup("draws", help="公开随机抽取（双随机、案卷评查）")


def _read(path: Path) -> object:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Notepad on Windows writes a BOM
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"清单文件 {path} 不是 UTF-8 编码（第 {exc.start + 1} 字节）"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"清单文件 {path} 不是合法的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}"
        ) from exc


@draws_cli.command("verify")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(manifest: Path) -> None:
    """按 riskctl-draw/1 由抽取清单 MANIFEST 重新计算抽取结果并以 JSON 输出；清单有误时退出码为 1。

    输出与 draw-vectors.json 的 expected 格式相同。
    """
    try:
        result = recompute(_read(manifest))
    except ValidationFailed as exc:
        raise click.ClickException(f"清单无法抽取：{exc.message}") from exc
    click.echo(json.dumps(result_as_dict(result), ensure_ascii=False, indent=1))
