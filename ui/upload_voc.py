"""VOC tab of the upload page: drop an export → preview → detected mapping → load → report → rejects.

Loads through `etl.voc.load`, the same function as `python -m etl voc`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from ccm import privacy
from ccm.safe_text import md, visible_frame
from ccm.settings import ROOT
from etl import mapping as mp
from etl import sandbox, voc
from etl.readers import Limits, ReadError
from ui import data
from ui.auth import audit_upload
from ui.components import definition, downloads, table

SAMPLES = ROOT / "data" / "samples"
PREVIEW_ROWS = 20
MASKED = "(개인정보)"


def render(ctx) -> None:
    st.subheader("VOC 내보내기 파일 올리기")
    st.caption(
        "고객의 소리 시스템에서 내려받은 파일(CSV — UTF-8·CP949·EUC-KR, Excel .xlsx·.xls)을 그대로 올리세요. "
        "인코딩과 머리글 행은 자동으로 찾고, 같은 접수번호는 새 상태로 갱신합니다(같은 파일을 두 번 올려도 바뀌지 않음)."
    )
    _samples()
    up = st.file_uploader("VOC 파일", type=["csv", "txt", "xlsx", "xls"], key="voc_up_file")
    map_up = st.file_uploader(
        "매핑 파일 (선택: 머리글·값을 직접 지정하는 TOML)",
        type=["toml"],
        key="voc_up_mapping",
        help='docs/loading.md \'매핑 파일\' 절 참고. 예: [columns] "민원 No" = "voc_id"',
    )
    if up is None:
        st.info(
            "파일을 올리면 처음 몇 행과 인식한 열 매핑을 먼저 보여 드립니다. 적재는 확인 후 '적재' 단추로 합니다.",
            icon=":material/upload_file:",
        )
        return
    content = up.getvalue()
    try:
        mapping = (
            mp.parse_mapping(map_up.getvalue().decode("utf-8-sig"), map_up.name, ctx.settings)
            if map_up
            else None
        )
        strict = bool(st.session_state.get("voc_up_strict"))
        prep = _prepared(
            content, up.name, mapping, map_up.getvalue() if map_up else b"", ctx.settings, strict
        )
    except (ReadError, UnicodeDecodeError) as exc:
        st.error(f"이 파일은 적재할 수 없습니다: {md(exc)}", icon=":material/error:")
        return
    _preview(prep)
    _mapping(prep, ctx.settings, mapping)
    _validation(prep)
    st.checkbox(
        "오류 행이 하나라도 있으면 아무것도 적재하지 않기 (--strict)",
        key="voc_up_strict",
        help="처리상태가 완료인데 처리일시가 없는 행도 오류로 봅니다.",
    )
    key = f"voc_report_{prep.sha256}"
    if st.button("적재", type="primary", key="voc_up_load", icon=":material/database_upload:"):
        st.session_state[key] = _load(ctx, prep, strict)
    if key in st.session_state:
        _report(st.session_state[key], prep)


def _samples() -> None:
    files = sorted(SAMPLES.glob("voc_*")) if SAMPLES.exists() else []
    if not files:
        return
    with st.expander("예시 파일 내려받기", icon=":material/download:"):
        st.caption("입력 형식별 작은 예시입니다. 열 이름·날짜 형식이 달라도 뜻으로 인식합니다.")
        for i, f in enumerate(files):
            st.download_button(f.name, f.read_bytes(), f.name, key=f"voc_sample_{i}", on_click="ignore")


def _prepared(
    content: bytes, name: str, mapping, mapping_bytes: bytes, settings, strict: bool
) -> voc.Prepared:
    """Prepare once per (file, mapping, strict): reruns of the page do not re-read the file."""
    key = (
        "voc_prepared_"
        + hashlib.sha256(content + b"\0" + mapping_bytes + name.encode() + bytes([strict])).hexdigest()
    )
    if key not in st.session_state:
        with st.spinner("파일을 읽고 검사하는 중…"):  # in a child process: no file can take the server down
            st.session_state[key] = sandbox.run(
                voc.prepare,
                content,
                settings,
                mapping,
                name=name,
                strict=strict,
                limits=Limits.from_settings(settings),
                what=name,
            )
    return st.session_state[key]


def _masked_frame(prep: voc.Prepared, df: pd.DataFrame) -> pd.DataFrame:
    """Identity columns hidden and phone/e-mail/RRN masked in text, for showing on screen."""
    out = df.copy()
    for c in prep.plan.drop + prep.plan.hash:
        if c in out:
            out[c] = out[c].where(out[c].isna(), MASKED)
    for f in ("title", "content", "answer"):
        c = prep.plan.fields.get(f)
        if c in out:
            out[c] = privacy.mask_series(out[c])
    return out


def _preview(prep: voc.Prepared) -> None:
    t = prep.table
    where = f"인코딩 {t.encoding}" if t.encoding else f"시트 '{t.sheet}'"
    st.markdown(
        f"**미리 보기** — {md(prep.file_name)}: {md(where)}, 머리글 {t.header_row}행, 데이터 {len(t.df):,}행"
    )
    if t.title_rows and any(t.title_rows):
        st.caption("머리글 위의 제목 행(건너뜀): " + " / ".join(md(x) for x in t.title_rows if x))
    preview = _masked_frame(prep, t.df.head(PREVIEW_ROWS)).assign(행=t.rows[:PREVIEW_ROWS])
    st.dataframe(visible_frame(preview.set_index("행")), width="stretch")
    definition("개인정보 열은 화면에서 가리고, 저장할 때는 삭제하거나 키 해시(고객키)로만 남깁니다.")


def _mapping(prep: voc.Prepared, settings, mapping) -> None:
    st.markdown("**인식한 열 매핑**")
    table(prep.plan.table(), f"{Path(prep.file_name).stem}_열매핑", key="voc_map_cols")
    rows = []
    for fld in ("voc_type", "channel", "status", "facility", "department"):
        src = prep.plan.fields.get(fld)
        if src is None:
            continue
        counts = prep.table.df[src].value_counts()
        lookup = mp.value_lookup(settings, fld, mapping)
        for value, n in counts.items():
            rows.append((mp.FIELD_LABELS[fld], value, lookup(value) or "(알 수 없음)", int(n)))
    if rows:
        st.markdown("**값 매핑** (원본 값 → 표준 값)")
        st.dataframe(
            visible_frame(pd.DataFrame(rows, columns=["필드", "원본 값", "표준 값", "행 수"])),
            hide_index=True,
            width="stretch",
        )
        definition(
            "유형을 알 수 없는 행은 적재하지 않습니다(오류). 알 수 없는 채널·시설·부서 값은 그대로 저장하고 알려 드립니다. "
            "매핑 파일의 [values.voc_type] 등으로 직접 지정할 수 있습니다."
        )
    for w in prep.warnings:
        st.warning(md(w), icon=":material/warning:")


def _validation(prep: voc.Prepared) -> None:
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(
        "읽은 행",
        f"{prep.rows_read:,}",
        help="머리글 아래의 데이터 행(빈 행, 합계·소계 행, 반복된 머리글 행 제외).",
    )
    c2.metric("적재할 VOC", f"{prep.rows_kept:,}", help="검사를 통과한 행(같은 접수번호가 여러 번이면 1건).")
    c3.metric(
        "같은 번호 병합",
        f"{prep.merged:,}",
        help="파일 안에 같은 접수번호가 또 있어 가장 진행된 행에 합친 행.",
    )
    c4.metric(
        "오류 행",
        f"{prep.rows_rejected:,}",
        help="필수 값이 없거나 읽을 수 없는 행. 적재하지 않고 오류 파일로 돌려 드립니다.",
    )
    c5.metric(
        "처리일시 없음",
        f"{prep.closed_without_time:,}",
        help="처리상태는 완료인데 처리일시가 없는 건. 완료로 저장하되 기한 준수 판정에서 뺍니다.",
    )


def _load(ctx, prep: voc.Prepared, strict: bool) -> voc.LoadReport:
    bar = st.progress(0.0, text="적재 준비 중…")
    report = voc.load(
        data.db_path(),
        [],
        ctx.settings,
        strict=strict,
        loaded_by=ctx.user.username,
        prepared=[prep],
        progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
    )
    bar.empty()
    audit_upload(
        "VOC",
        prep.file_name,
        "; ".join(
            f"배치 {b.batch_id} 추가 {b.inserted} 갱신 {b.updated} 오류 {b.rejected}" for b in report.batches
        ),
    )
    return report


def _report(report: voc.LoadReport, prep: voc.Prepared) -> None:
    if report.strict_blocked:
        st.error(
            "오류 행이 있어 아무것도 적재하지 않았습니다(--strict). 오류 파일을 고쳐 다시 올리세요.",
            icon=":material/block:",
        )
    else:
        b = report.batches[0]
        st.success(f"적재했습니다 (배치 {b.batch_id}번).", icon=":material/check_circle:")
        cols = st.columns(6)
        for col, (label, value, help_) in zip(
            cols,
            [
                (
                    "읽음",
                    b.rows_read,
                    "파일의 데이터 행 수 = 추가 + 갱신 + 변화 없음 + 같은 번호 병합 + 오류",
                ),
                ("추가", b.inserted, "새 접수번호"),
                ("갱신", b.updated, "이미 있던 접수번호의 상태·내용이 바뀐 건"),
                (
                    "변화 없음",
                    b.unchanged,
                    "이미 같은 내용이거나, 더 새로운 내보내기의 내용이 저장돼 있어 덮어쓰지 않은 건",
                ),
                ("같은 번호 병합", b.merged, "파일 안에서 같은 접수번호의 다른 행에 합친 행"),
                ("오류", b.rejected, "적재하지 않은 행"),
            ],
        ):
            col.metric(label, f"{value:,}", help=help_)
        times = " · ".join(f"{k} {v:.1f}초" for k, v in report.timings.items())
        st.caption(f"소요 시간: {times}")
    if prep.rows_rejected:
        st.markdown("**오류 목록** (파일·행·열·값·사유)")
        st.dataframe(prep.rejects, hide_index=True, width="stretch")
        st.markdown(
            "**오류 행 파일** — 원본 열에 '오류' 열을 붙였습니다. 고쳐서 그대로 다시 올리면 '오류' 열은 무시됩니다."
        )
        downloads(prep.rejected_rows(), f"{Path(prep.file_name).stem}_오류", key="voc_rejects")
