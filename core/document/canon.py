"""The canonical report document: every table row and column, with its official Chinese label.

This module is the single place that names the parts of the three fixed tables of
国办公开办函〔2021〕30号 (and of the 2019 format, 国办公开办函〔2019〕60号). Loaders use it to place
cells, the JSON Schemas are checked against it in tests, and reporters use the labels to speak the
user's language ("表三 (七)总计 / 自然人").
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------- table 三: columns
APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
)
REQUEST_COLUMNS: tuple[str, ...] = (*APPLICANT_COLUMNS, "total")

COLUMN_LABELS: dict[str, dict[str, str]] = {
    "natural_person": {"zh": "自然人", "en": "natural persons"},
    "commercial": {"zh": "商业企业", "en": "commercial enterprises"},
    "research": {"zh": "科研机构", "en": "research institutions"},
    "nonprofit": {"zh": "社会公益组织", "en": "public-interest organisations"},
    "legal_service": {"zh": "法律服务机构", "en": "legal service organisations"},
    "other_org": {"zh": "其他", "en": "other organisations"},
    "total": {"zh": "总计", "en": "total"},
}


@dataclass(frozen=True)
class RowSpec:
    """One canonical row of a table.

    ``path`` is the dotted document path, ``label`` the official wording, ``keywords`` the
    fragments that identify the row in a real report's label (matched on normalised text, all of
    one tuple must occur), ``group`` the (三)…(六) block a numbered sub-row belongs to (``None`` for
    rows that stand alone), ``ordinal`` its number inside that group.
    """

    path: str
    label: str
    keywords: tuple[tuple[str, ...], ...]
    group: str | None = None
    ordinal: int | None = None
    en: str = ""


# Table 三, 2021 format: 25 value rows, in the order of the official template.
REQUEST_ROWS_2021: tuple[RowSpec, ...] = (
    RowSpec("requests.new", "一、本年新收政府信息公开申请数量", (("本年新收",),), en="new requests this year"),
    RowSpec("requests.carried_over", "二、上年结转政府信息公开申请数量", (("上年结转",),), en="carried over from last year"),
    RowSpec("requests.results.granted", "（一）予以公开", (("予以公开",),), en="granted"),
    RowSpec("requests.results.partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("部分公开",),), en="partially granted"),
    RowSpec("requests.results.withheld.state_secret", "1.属于国家秘密", (("国家秘密",),), "withheld", 1, "state secret"),
    RowSpec("requests.results.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", (("禁止公开",),), "withheld", 2, "prohibited by other laws"),
    RowSpec("requests.results.withheld.three_safeties_one_stability", "3.危及“三安全一稳定”", (("三安全",), ("一稳定",)), "withheld", 3, "endangers the three safeties and stability"),
    RowSpec("requests.results.withheld.third_party_rights", "4.保护第三方合法权益", (("第三方",),), "withheld", 4, "third-party rights"),
    RowSpec("requests.results.withheld.internal_affairs", "5.属于三类内部事务信息", (("内部事务",),), "withheld", 5, "internal affairs"),
    RowSpec("requests.results.withheld.process_info", "6.属于四类过程性信息", (("过程性",),), "withheld", 6, "process information"),
    RowSpec("requests.results.withheld.enforcement_files", "7.属于行政执法案卷", (("执法案卷",),), "withheld", 7, "enforcement files"),
    RowSpec("requests.results.withheld.administrative_query", "8.属于行政查询事项", (("行政查询",),), "withheld", 8, "administrative query"),
    RowSpec("requests.results.unavailable.not_held", "1.本机关不掌握相关政府信息", (("不掌握",),), "unavailable", 1, "not held"),
    RowSpec("requests.results.unavailable.needs_creation", "2.没有现成信息需要另行制作", (("另行制作",), ("没有现成",)), "unavailable", 2, "would need to be created"),
    RowSpec("requests.results.unavailable.unclear_after_correction", "3.补正后申请内容仍不明确", (("仍不明确",), ("补正后",)), "unavailable", 3, "still unclear after correction"),
    RowSpec("requests.results.not_processed.petition_complaint", "1.信访举报投诉类申请", (("信访",), ("举报投诉",)), "not_processed", 1, "petition or complaint"),
    RowSpec("requests.results.not_processed.duplicate", "2.重复申请", (("重复申请",),), "not_processed", 2, "duplicate request"),
    RowSpec("requests.results.not_processed.publication", "3.要求提供公开出版物", (("出版物",),), "not_processed", 3, "asks for publications"),
    RowSpec("requests.results.not_processed.excessive_repeat", "4.无正当理由大量反复申请", (("大量反复",), ("反复申请",)), "not_processed", 4, "excessive repeated requests"),
    RowSpec("requests.results.not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息", (("重新出具",), ("确认或",)), "not_processed", 5, "asks to confirm or reissue"),
    RowSpec("requests.results.other.overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", (("逾期不补正",), ("不补正",)), "other", 1, "no correction in time"),
    RowSpec("requests.results.other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", (("收费通知",), ("缴纳费用",)), "other", 2, "fee not paid"),
    RowSpec("requests.results.other.other", "3.其他", (("其他",),), "other", 3, "other"),
    RowSpec("requests.results.total", "（七）总计", (("总计",),), en="total of results"),
    RowSpec("requests.carry_forward", "四、结转下年度继续办理", (("结转下年",),), en="carried forward to next year"),
)

# Table 三, 2019 format: (六)其他处理 is a single row, 23 value rows.
REQUEST_ROWS_2019: tuple[RowSpec, ...] = tuple(
    r for r in REQUEST_ROWS_2021 if not r.path.startswith("requests.results.other.")
)[:20] + (
    RowSpec("requests.results.other", "（六）其他处理", (("其他处理",),), en="other handling"),
) + tuple(r for r in REQUEST_ROWS_2021 if r.path in ("requests.results.total", "requests.carry_forward"))

# The group headings of table 三 and their canonical labels.
REQUEST_GROUPS: dict[str, str] = {
    "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}

# ---------------------------------------------------------------- table 四
REVIEW_BLOCKS: tuple[str, ...] = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
REVIEW_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_BLOCK_LABELS: dict[str, dict[str, str]] = {
    "reconsideration": {"zh": "行政复议", "en": "administrative reconsideration"},
    "litigation_direct": {"zh": "行政诉讼（未经复议直接起诉）", "en": "lawsuits without prior reconsideration"},
    "litigation_after_reconsideration": {"zh": "行政诉讼（复议后起诉）", "en": "lawsuits after reconsideration"},
}
REVIEW_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "upheld": {"zh": "结果维持", "en": "upheld"},
    "corrected": {"zh": "结果纠正", "en": "corrected"},
    "other": {"zh": "其他结果", "en": "other result"},
    "pending": {"zh": "尚未审结", "en": "pending"},
    "total": {"zh": "总计", "en": "total"},
}

# ---------------------------------------------------------------- table 二
@dataclass(frozen=True)
class ActiveRow:
    """A row of table 二: its path, label, the 第二十条 item it stands under, and its cells."""

    path: str
    label: str
    item: str
    cells: tuple[tuple[str, str], ...]  # (field, column label)
    keywords: tuple[str, ...]
    money: bool = False


ACTIVE_ROWS_2021: tuple[ActiveRow, ...] = (
    ActiveRow("active.regulations", "规章", "第二十条第（一）项",
              (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")), ("规章",)),
    ActiveRow("active.normative_documents", "行政规范性文件", "第二十条第（一）项",
              (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")), ("规范性文件",)),
    ActiveRow("active.licensing", "行政许可", "第二十条第（五）项", (("decisions", "本年处理决定数量"),), ("行政许可",)),
    ActiveRow("active.punishment", "行政处罚", "第二十条第（六）项", (("decisions", "本年处理决定数量"),), ("行政处罚",)),
    ActiveRow("active.coercion", "行政强制", "第二十条第（六）项", (("decisions", "本年处理决定数量"),), ("行政强制",)),
    ActiveRow("active.fees", "行政事业性收费", "第二十条第（八）项", (("amount", "本年收费金额（单位：万元）"),), ("行政事业性收费",), money=True),
)

_PREV = (("prev_items", "上一年项目数量"), ("delta", "本年增/减"), ("decisions", "处理决定数量"))
ACTIVE_ROWS_2019: tuple[ActiveRow, ...] = (
    ActiveRow("active.regulations", "规章", "第二十条第（一）项",
              (("new_made", "本年新制作数量"), ("new_public", "本年新公开数量"), ("total_public", "对外公开总数量")), ("规章",)),
    ActiveRow("active.normative_documents", "规范性文件", "第二十条第（一）项",
              (("new_made", "本年新制作数量"), ("new_public", "本年新公开数量"), ("total_public", "对外公开总数量")), ("规范性文件",)),
    ActiveRow("active.licensing", "行政许可", "第二十条第（五）项", _PREV, ("行政许可",)),
    ActiveRow("active.other_services", "其他对外管理服务事项", "第二十条第（五）项", _PREV, ("其他对外管理服务",)),
    ActiveRow("active.punishment", "行政处罚", "第二十条第（六）项", _PREV, ("行政处罚",)),
    ActiveRow("active.coercion", "行政强制", "第二十条第（六）项", _PREV, ("行政强制",)),
    ActiveRow("active.fees", "行政事业性收费", "第二十条第（八）项", (("prev_items", "上一年项目数量"), ("delta", "本年增/减")), ("行政事业性收费",)),
    ActiveRow("active.procurement", "政府集中采购", "第二十条第（九）项", (("items", "采购项目数量"), ("amount", "采购总金额")), ("政府集中采购",), money=True),
)

# ---------------------------------------------------------------- sections
SECTION_TITLES: dict[int, str] = {
    1: "总体情况",
    2: "主动公开政府信息情况",
    3: "收到和处理政府信息公开申请情况",
    4: "政府信息公开行政复议、行政诉讼情况",
    5: "存在的主要问题及改进情况",
    6: "其他需要报告的事项",
}

FACT_NAMES: tuple[str, ...] = (
    "requests_received", "requests_new", "requests_carried_over", "requests_completed",
    "requests_carry_forward", "reconsiderations", "lawsuits", "regulations_issued",
    "normative_documents_issued",
)


def request_rows(fmt: str | None) -> tuple[RowSpec, ...]:
    """The canonical table-三 rows of a format (``"2019"`` or ``"2021"``; unknown → 2021)."""
    return REQUEST_ROWS_2019 if fmt == "2019" else REQUEST_ROWS_2021


def active_rows(fmt: str | None) -> tuple[ActiveRow, ...]:
    return ACTIVE_ROWS_2019 if fmt == "2019" else ACTIVE_ROWS_2021


def pointer(path: str, *more: str) -> str:
    """JSON pointer for a dotted path plus extra keys: ``pointer("requests.new", "total")``."""
    parts = [p for p in path.split(".") if p] + list(more)
    return "/" + "/".join(parts)


def label_of(pointer_or_path: str, lang: str = "zh") -> str:
    """Human label of a cell or row, e.g. ``/requests/results/total/natural_person`` →
    ``表三 （七）总计 / 自然人``. Unknown paths come back unchanged."""
    path = pointer_or_path.strip("/").replace("/", ".")
    parts = path.split(".")
    zh = lang == "zh"
    if parts[0] == "requests":
        for rows in (REQUEST_ROWS_2021, REQUEST_ROWS_2019):
            for r in rows:
                if path == r.path or path.startswith(r.path + "."):
                    rest = path[len(r.path) + 1:]
                    col = COLUMN_LABELS.get(rest, {}).get(lang, rest) if rest else ""
                    name = r.label if zh else (r.en or r.path)
                    t = "表三" if zh else "Table 3"
                    return f"{t} {name}" + (f" / {col}" if col else "")
    if parts[0] == "review" and len(parts) >= 2:
        block = REVIEW_BLOCK_LABELS.get(parts[1], {}).get(lang, parts[1])
        col = REVIEW_COLUMN_LABELS.get(parts[2], {}).get(lang, parts[2]) if len(parts) > 2 else ""
        t = "表四" if zh else "Table 4"
        return f"{t} {block}" + (f" / {col}" if col else "")
    if parts[0] == "active" and len(parts) >= 2:
        for arows in (ACTIVE_ROWS_2021, ACTIVE_ROWS_2019):
            for a in arows:
                if a.path == "active." + parts[1]:
                    colname = dict(a.cells).get(parts[2], parts[2]) if len(parts) > 2 else ""
                    t = "表二" if zh else "Table 2"
                    return f"{t} {a.label}" + (f" / {colname}" if colname else "")
    return pointer_or_path
