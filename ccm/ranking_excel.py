"""The evaluation committee's workbook (부서 평가·포상): the composite score and the rank as live Excel
formulas over a weights block, so that a member can change a weight (or a band, or a minimum count)
in Excel and see the scores and ranks follow — the same rules as ccm.ranking.rank:

- '구성요소별 근거', one row per department × component: 점수 = clip((원값 − 하한) ÷ (상한 − 하한), 0, 1) × 100
  when 원값 is there and 근거 건수 ≥ 최소 건수; 적용 가중치 = 가중치 ÷ (the department's sum of the weights of
  its scored components); 기여 점수 = 적용 가중치 × 점수.
- '순위': 종합점수 = ROUND(Σ 기여 점수, decimals); 순위 = RANK of 종합점수, then the tie-break components'
  raw values (better first, unscored last), then the department name (SUMPRODUCT terms).

The awards are written as computed by the app (with the weights in force at the download).
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ccm import xlsx_style as xs
from ccm.ranking import RankingConfig, facilities_frame, formula_text

SHEETS = ("순위", "구성요소별 근거", "포상 후보", "산식 설명", "시설별 PCSI")
EVIDENCE = "구성요소별 근거"
SCORED, UNSCORED = "평가", "미평가(가중치 재배분)"
TIED = "동점 → 동점 규칙 적용"
MOVE_FORMAT = '"▲"0;"▼"0;"–"'
LOWEST = "-1E+300"  # tie-break key of an unscored component: after every scored value


def committee_workbook(
    result: pd.DataFrame,
    moves: pd.DataFrame,
    cfg: RankingConfig,
    award_rows: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    period: str = "",
    complete: bool = True,
) -> bytes:
    """The workbook as bytes. `result` is ccm.ranking.rank's frame (best first), `moves` its
    rank_changes against the default weights. `complete=False` (a department's own rows only): the
    rank column holds the app's ranks, since the other departments' scores are not in the file."""
    wb = Workbook()
    doc = f"부서 평가·포상 {period}".strip()
    ranking = xs.Page(wb.active, print_title=doc)
    ranking.ws.title = SHEETS[0]
    weights = _weights_block(ranking, cfg, period)
    evidence = xs.Page(wb.create_sheet(EVIDENCE), print_title=doc)
    ev_rows = _evidence_sheet(evidence, result, cfg, weights)
    _ranking_table(ranking, result, moves, cfg, weights, ev_rows, complete)
    ranking.finish()
    evidence.finish()
    _static_sheet(wb, "포상 후보", doc, "포상 후보 (내려받을 때의 가중치 기준)", award_rows)
    _formula_sheet(wb, doc, cfg)
    _static_sheet(
        wb,
        "시설별 PCSI",
        doc,
        "시설별 고객만족도(PCSI) — CS 우수사업장 근거",
        facilities_frame(facilities, cfg),
    )
    wb.calculation.fullCalcOnLoad = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _abs(ws: Worksheet, col: int, row: int) -> str:
    return f"'{ws.title}'!${get_column_letter(col)}${row}"


def _weights_block(page: xs.Page, cfg: RankingConfig, period: str) -> dict[str, dict[str, str]]:
    """The editable weights (yellow) and bands; returns per component key the absolute references."""
    page.title(
        f"부서 평가 순위 {period}".strip(),
        "노란 칸의 가중치(또는 하한·상한·최소 건수)를 바꾸면 종합점수와 순위가 Excel에서 다시 계산됩니다. "
        "행 순서는 내려받을 때의 순위이며, 가중치 합계가 100%가 아니어도 됩니다(부서마다 평가된 구성요소의 "
        "가중치 합으로 나눕니다).",
    )
    page.text("가중치와 점수 구간", bold=True, keep_with_next=True)
    block = pd.DataFrame(
        [
            {
                "구성요소": c.label,
                "가중치": c.weight,
                "하한(0점)": c.lo,
                "상한(100점)": c.hi,
                "최소 건수": c.min_count,
                "단위": c.unit,
                "근거": c.count_label,
            }
            for c in cfg.components
        ]
    )
    table = page.table(
        block, kinds={"가중치": "pct", "하한(0점)": "num", "상한(100점)": "num", "최소 건수": "count"}
    )
    refs = {}
    for k, c in enumerate(cfg.components):
        r = table.header_row + 1 + k
        page.ws.cell(r, table.col("가중치")).fill = xs.INPUT_FILL
        refs[c.key] = {
            name: _abs(page.ws, table.col(name), r)
            for name in ("구성요소", "가중치", "하한(0점)", "상한(100점)", "최소 건수")
        }
    total = table.last_row + 1
    page.ws.cell(total, 1, "합계").font = Font(name=xs.FONT, bold=True, size=xs.BODY_PT)
    cell = page.ws.cell(
        total,
        table.col("가중치"),
        f"=SUM({table.letter('가중치')}{table.header_row + 1}:{table.letter('가중치')}{table.last_row})",
    )
    cell.number_format, cell.font = xs.FORMATS["pct"], Font(name=xs.FONT, size=xs.BODY_PT)
    page.blocks[-1].end = total
    page.row = total + 2
    return refs


def _evidence_frame(result: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    rows = []
    for _, r in result.iterrows():
        for c in cfg.components:
            scored = bool(r[f"{c.key}_scored"])
            rows.append(
                {
                    "부서": r["department"],
                    "구성요소": c.label,
                    "원값": r[c.key],
                    "단위": c.unit,
                    "근거": c.count_label,
                    "근거 건수": r[f"{c.key}_n"],
                    "최소 건수": c.min_count,
                    "점수(0~100)": r[f"{c.key}_points"],
                    "가중치": c.weight,
                    "반영 가중치": c.weight if scored else 0.0,
                    "적용 가중치": r[f"{c.key}_weight"],
                    "기여 점수": r[f"{c.key}_contrib"],
                    "평가": SCORED if scored else UNSCORED,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "부서",
            "구성요소",
            "원값",
            "단위",
            "근거",
            "근거 건수",
            "최소 건수",
            "점수(0~100)",
            "가중치",
            "반영 가중치",
            "적용 가중치",
            "기여 점수",
            "평가",
        ],
    )


def _evidence_sheet(
    page: xs.Page, result: pd.DataFrame, cfg: RankingConfig, weights: dict[str, dict[str, str]]
) -> dict[str, str]:
    """One row per department × component with the formulas; returns the column ranges the ranking uses."""
    page.title(
        "구성요소별 근거",
        "점수 = (원값 − 하한) ÷ (상한 − 하한) × 100 (0~100으로 자름), 근거 건수가 최소 건수 "
        "미만이면 평가하지 않음. 적용 가중치 = 가중치 ÷ 그 부서에서 평가된 구성요소 가중치의 합. 기여 점수 = "
        "적용 가중치 × 점수. 가중치·구간은 '순위' 시트의 표를 따릅니다.",
    )
    df = _evidence_frame(result, cfg)
    t = page.table(
        df,
        kinds={
            "원값": "num",
            "근거 건수": "count",
            "최소 건수": "count",
            "점수(0~100)": "score",
            "가중치": "pct",
            "반영 가중치": "pct",
            "적용 가중치": "pct",
            "기여 점수": "score",
        },
        formats={"점수(0~100)": "0.0", "기여 점수": "0.00"},
    )
    first, last = t.header_row + 1, max(t.last_row, t.header_row + 1)
    col = {name: t.letter(name) for name in t.columns}
    rng = {name: f"'{page.ws.title}'!${col[name]}${first}:${col[name]}${last}" for name in t.columns}
    keys = [c.key for _ in range(len(result)) for c in cfg.components]
    for i, key in zip(range(first, t.last_row + 1), keys):
        w = weights[key]
        c = {name: f"{col[name]}{i}" for name in t.columns}
        dept_sum = f"SUMIFS(${col['반영 가중치']}${first}:${col['반영 가중치']}${last},${col['부서']}${first}:${col['부서']}${last},{c['부서']})"
        formulas = {
            "최소 건수": f"={w['최소 건수']}",
            "점수(0~100)": f"=IF(AND(ISNUMBER({c['원값']}),{c['근거 건수']}>={c['최소 건수']}),"
            f'MAX(0,MIN(1,({c["원값"]}-{w["하한(0점)"]})/({w["상한(100점)"]}-{w["하한(0점)"]})))*100,"")',
            "가중치": f"={w['가중치']}",
            "반영 가중치": f"=IF(ISNUMBER({c['점수(0~100)']}),{c['가중치']},0)",
            "적용 가중치": f"=IF({c['반영 가중치']}>0,{c['반영 가중치']}/{dept_sum},0)",
            "기여 점수": f"=IF(ISNUMBER({c['점수(0~100)']}),{c['적용 가중치']}*{c['점수(0~100)']},0)",
            "평가": f'=IF(ISNUMBER({c["점수(0~100)"]}),"{SCORED}","{UNSCORED}")',
        }
        for name, formula in formulas.items():
            page.ws.cell(i, t.col(name)).value = formula
    page.ws.freeze_panes = page.ws.cell(first, 1)
    return rng


def _ranking_table(
    page: xs.Page,
    result: pd.DataFrame,
    moves: pd.DataFrame,
    cfg: RankingConfig,
    weights: dict[str, dict[str, str]],
    ev: dict[str, str],
    complete: bool,
) -> None:
    """순위 · 기본 가중치 순위 · 변동 · 부서 · 종합점수 · 기여 per component · 동점, with hidden tie-break keys."""
    page.text("순위 (가중치를 바꾸면 다시 계산)", bold=True, keep_with_next=True)
    before = moves.set_index("department")["rank_before"]
    tie = [cfg.component(k) for k in cfg.tie_break if any(c.key == k for c in cfg.components)]
    result = result.reset_index(drop=True)
    default = pd.Series([before.get(d) for d in result["department"]], dtype="Float64")
    rank = result["rank"].astype("Float64")
    df = pd.DataFrame(
        {
            "순위": rank,
            "기본 가중치 순위": default,
            "변동": default - rank,
            "부서": result["department"].astype(str),
            "종합점수": result["composite"].round(cfg.decimals),
        }
    )
    for c in cfg.components:
        df[f"{c.label} 기여"] = result[f"{c.key}_contrib"].where(result[f"{c.key}_scored"]).to_numpy()
    df["동점"] = result["tied"].map({True: TIED, False: ""}).to_numpy()
    for k in range(1, len(tie) + 1):
        df[f"동점 기준 {k}"] = 0.0
    dec = "0" + ("." + "0" * cfg.decimals if cfg.decimals else "")
    kinds = {"순위": "id", "기본 가중치 순위": "id", "변동": "id", "종합점수": "score"}
    t = page.table(
        df,
        kinds=kinds | {f"{c.label} 기여": "score" for c in cfg.components},
        formats={"변동": MOVE_FORMAT, "종합점수": dec} | {f"{c.label} 기여": "0.00" for c in cfg.components},
    )
    first, last = t.header_row + 1, max(t.last_row, t.header_row + 1)
    col = {name: t.letter(name) for name in t.columns}
    span = {name: f"${col[name]}${first}:${col[name]}${last}" for name in t.columns}
    for i in range(first, t.last_row + 1):
        c = {name: f"{col[name]}{i}" for name in t.columns}
        scored_n = lambda key, c=c: (
            f"COUNTIFS({ev['부서']},{c['부서']},{ev['구성요소']},{weights[key]['구성요소']},"
            f'{ev["평가"]},"{SCORED}")'
        )
        sums = {
            "종합점수": f"=IF(SUMIFS({ev['반영 가중치']},{ev['부서']},{c['부서']})>0,"
            f'ROUND(SUMIFS({ev["기여 점수"]},{ev["부서"]},{c["부서"]}),{cfg.decimals}),"")',
            "변동": f'=IF(AND(ISNUMBER({c["기본 가중치 순위"]}),ISNUMBER({c["순위"]})),{c["기본 가중치 순위"]}-{c["순위"]},"")',
            "동점": f'=IF(AND(ISNUMBER({c["종합점수"]}),COUNTIF({span["종합점수"]},{c["종합점수"]})>1),"{TIED}","")',
        }
        for comp in cfg.components:
            sums[f"{comp.label} 기여"] = (
                f"=IF({scored_n(comp.key)}>0,SUMIFS({ev['기여 점수']},{ev['부서']},{c['부서']},"
                f'{ev["구성요소"]},{weights[comp.key]["구성요소"]}),"미평가")'
            )
        for k, comp in enumerate(tie, start=1):
            w = weights[comp.key]
            sums[f"동점 기준 {k}"] = (
                f"=IF({scored_n(comp.key)}>0,SUMIFS({ev['원값']},{ev['부서']},{c['부서']},"
                f"{ev['구성요소']},{w['구성요소']})*IF({w['상한(100점)']}>{w['하한(0점)']},1,-1),{LOWEST})"
            )
        if complete:
            sums["순위"] = f'=IF(ISNUMBER({c["종합점수"]}),{_rank_terms(c, span, len(tie))},"")'
        for name, formula in sums.items():
            page.ws.cell(i, t.col(name)).value = formula
    for k in range(1, len(tie) + 1):
        dim = page.ws.column_dimensions[col[f"동점 기준 {k}"]]
        dim.hidden, dim.outline_level = True, 1
    page.text(
        f"순위: 종합점수(소수 {cfg.decimals}자리) 높은 순 → 같으면 "
        + ", ".join(f"{c.label} 원값이 좋은 순" for c in tie)
        + (" → " if tie else "")
        + "부서명 가나다순. 변동 = 기본 가중치 순위 − 지금 순위(▲ 오름)."
        + ("" if complete else " 이 파일에는 내 부서만 있어 순위는 내려받을 때의 전체 순위입니다."),
        color="595959",
    )


def _rank_terms(c: dict[str, str], span: dict[str, str], ties: int) -> str:
    """RANK of the composite plus one for every department tied on it that the tie-breaks put first."""
    same = f"({span['종합점수']}={c['종합점수']})"
    terms = [f"RANK({c['종합점수']},{span['종합점수']},0)"]
    for k in range(1, ties + 1):
        eq = "".join(f"*({span[f'동점 기준 {m}']}={c[f'동점 기준 {m}']})" for m in range(1, k))
        terms.append(f"SUMPRODUCT({same}{eq}*({span[f'동점 기준 {k}']}>{c[f'동점 기준 {k}']}))")
    eq = "".join(f"*({span[f'동점 기준 {m}']}={c[f'동점 기준 {m}']})" for m in range(1, ties + 1))
    terms.append(f"SUMPRODUCT({same}{eq}*({span['부서']}<{c['부서']}))")
    return "+".join(terms)


def _static_sheet(wb: Workbook, name: str, doc: str, title: str, df: pd.DataFrame) -> None:
    page = xs.Page(wb.create_sheet(name), print_title=doc)
    page.title(title)
    page.table(df, empty="해당하는 내용이 없습니다.")
    page.finish()


def _formula_sheet(wb: Workbook, doc: str, cfg: RankingConfig) -> None:
    page = xs.Page(wb.create_sheet("산식 설명"), print_title=doc)
    page.title("산식 설명", "설정 파일의 [ranking] (내려받을 때의 가중치)")
    page.table(
        pd.DataFrame(
            [{"구성요소": c.label, "정의": c.definition, "근거": c.count_label} for c in cfg.components]
        ),
        max_width=50,
    )
    for line in formula_text(cfg):
        page.text(line)
    page.finish()
