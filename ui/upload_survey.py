"""Upload flow for survey respondent files: file → proposed spec (which column is what) → the user
confirms or edits it → load. The confirmed spec is stored with the batch."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

import pandas as pd
import streamlit as st

from ccm import db, pcsi
from ccm.safe_text import md, md_join, visible_frame
from etl import sandbox, survey
from etl.readers import Limits, ReadError
from ui import data as ui_data
from ui.auth import audit_upload

BASES = {"지방공기업 고객만족도(PCSI) 기본": "pcsi_default.toml", "교육만족도 기본": "training_default.toml"}
NONE = "(없음)"
NEW_SURVEY = "새 설문(이름 입력)"


def render(ctx) -> None:
    st.markdown(
        "조사기관이 준 **응답자 원자료**(응답자 1행, 문항 열 A1…E3 등)를 올리면 문항·영역·척도를 제안합니다. "
        "확인하거나 고친 뒤 적재하세요. 같은 설문(이름·연도·차수)을 다시 올리면 이전 적재를 대체합니다."
    )
    c1, c2 = st.columns([2, 1])
    base_name = c1.selectbox("기본 설문 명세", list(BASES), key="survey_base")
    spec_up = c2.file_uploader("저장해 둔 명세 파일(선택)", type=["toml"], key="survey_spec_file")
    up = st.file_uploader(
        "응답자 원자료 파일 (.xlsx, .xls, .csv)", type=["xlsx", "xls", "csv"], key="survey_file"
    )
    if up is None:
        st.caption("이름·연락처 열은 저장하지 않고, 자유 의견 속 전화번호·이메일은 가려서 저장합니다.")
        return
    data = up.getvalue()
    tag = hashlib.sha256(data).hexdigest()[:8]
    try:
        base = _base_spec(base_name, spec_up)
        table, proposed = _read_and_propose(data, up.name, base.to_json(), ui_data.data_version())
    except (survey.SurveyError, ReadError) as exc:
        _audit_refusal(up.name, tag, str(exc))
        st.error(md(exc), icon=":material/error:")
        return
    _preview(table, ctx.settings)
    spec = _edit_spec(proposed, table, ctx, tag)
    st.download_button(
        "이 명세를 파일로 저장(.toml)",
        survey.spec_toml(spec),
        f"{spec.survey or '설문'}_명세.toml",
        "application/toml",
        key=f"survey_spec_dl_{tag}",
        on_click="ignore",
        icon=":material/download:",
    )
    notes = survey.scale_notes(table, spec)
    for note in notes:
        st.warning(md(note), icon=":material/warning:")
    plan = _plan(ctx, table, spec, up.name, tag)
    if plan is not None:
        for note in plan.warnings:
            if note not in notes:
                st.warning(md(note), icon=":material/warning:")
        notes = [*notes, *plan.warnings]
    confirmed = plan is not None and (not plan.replacement() or _confirm(plan, tag))
    if st.button(
        "확인하고 적재",
        type="primary",
        key=f"survey_load_{tag}",
        icon=":material/upload:",
        disabled=not confirmed,
    ):
        _load(ctx, data, up.name, spec, shown=set(notes), confirmed_batch=plan.replaces)


def _audit_refusal(name: str, tag: str, reason: str) -> None:
    """A refused upload is audited once per file and reason (the page reruns on every widget change)."""
    key = f"survey_refused_{tag}_{hashlib.sha256(reason.encode()).hexdigest()[:8]}"
    if not st.session_state.get(key):
        st.session_state[key] = True
        audit_upload("고객만족도", name, f"거부: {reason[:300]}")


def _plan(ctx, table, spec: survey.SurveySpec, name: str, tag: str) -> survey.DryRun | None:
    """The dry run shown before loading, or None (with the reason on the page) when it cannot load."""
    if not spec.survey:
        st.info(
            "설문 이름을 고르거나 새 설문 이름을 입력하세요. 그러면 적재하면 바뀌는 내용을 보여 드립니다.",
            icon=":material/info:",
        )
        return None
    try:
        with db.session(ctx.settings.db_path) as con:
            survey.check_permission(con, spec.survey, ctx.user, ctx.settings)
            plan = survey.dry_run(con, survey.prepare(table, spec, ctx.settings), ctx.settings)
    except survey.SurveyError as exc:
        _audit_refusal(name, tag, str(exc))
        st.error(f"적재할 수 없습니다: {md(exc)}", icon=":material/block:")
        return None
    _show_plan(plan)
    return plan


def _show_plan(plan: survey.DryRun) -> None:
    st.markdown(f"**적재하면 바뀌는 내용 — {md(plan.what)}**")
    if plan.unchanged:
        st.info(
            f"같은 파일·명세가 이미 적재되어 있습니다(배치 {plan.replaces}). 적재해도 바뀌는 것이 없습니다.",
            icon=":material/info:",
        )
        return
    before_n = "없음(새 설문)" if plan.n_before is None else f"{plan.n_before:,}명"
    rows = [
        ("응답자", before_n, f"{plan.n_after:,}명"),
        (f"{plan.year}년 종합지수", survey.fmt_index(plan.index_before), survey.fmt_index(plan.index_after)),
        ("결측 응답(빈 칸·모름·무응답)", "", f"{plan.missing:,}개"),
        ("척도 밖 값(점수 제외)", "", f"{plan.invalid:,}개"),
    ]
    st.table(pd.DataFrame(rows, columns=["항목", "지금", "적재 후"]).set_index("항목"))


def _confirm(plan: survey.DryRun, tag: str) -> bool:
    """Replacing a loaded survey needs a tick on a red sentence saying exactly what goes."""
    st.markdown(
        f":red[**주의: 이미 적재된 {md(plan.what)}(배치 {plan.replaces})를 대체합니다.**] "
        "대체한 배치는 관리 화면에서 되돌릴 수 있습니다."
    )
    return st.checkbox(f":red[{md(plan.replacement())}]", key=f"survey_confirm_{tag}_{plan.replaces}")


@st.cache_data(show_spinner="파일을 읽는 중…", max_entries=4)
def _read_and_propose(data: bytes, name: str, base_json: str, version: tuple):
    """Read once per file (widgets rerun the page on every change); errors are not cached."""
    settings = ui_data.settings()
    base = survey.SurveySpec.from_dict(json.loads(base_json))
    # parsed in a child process: no file can take the server down
    table = sandbox.run(
        survey.read, data, name, base, settings, limits=Limits.from_settings(settings), what=name
    )
    return table, survey.propose_spec(table, settings, base)


def _base_spec(name: str, uploaded) -> survey.SurveySpec:
    if uploaded is not None:
        import tomllib

        try:
            return survey.SurveySpec.from_dict(tomllib.loads(uploaded.getvalue().decode("utf-8-sig")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
            raise survey.SurveyError(f"명세 파일 {uploaded.name}을(를) 읽을 수 없습니다: {exc}") from None
    return survey.load_spec(survey.SPECS / BASES[name])


def _preview(table, settings) -> None:
    hidden = set(survey.identity_columns(list(table.df.columns), settings))
    with st.expander(
        f"파일 미리보기 — {len(table.df):,}행, 머리글 {table.header_row}행"
        + (f" (개인정보 열 {md_join(sorted(hidden))}은(는) 숨김·저장 안 함)" if hidden else "")
    ):
        st.dataframe(visible_frame(table.df.drop(columns=list(hidden)).head(10)), hide_index=True)


def _year_guess(proposed: survey.SurveySpec, table, ctx) -> int:
    if proposed.year:
        return proposed.year
    if proposed.date_column:
        from etl.parsing import parse_datetimes

        d = parse_datetimes(table.df[proposed.date_column]).dropna()
        if len(d):
            return int(d.dt.year.mode().iloc[0])
    m = re.search(r"(20\d{2})", table.file_name + " ".join(table.title_rows))
    return int(m.group(1)) if m else ctx.now.year


def _edit_spec(p: survey.SurveySpec, table, ctx, tag: str) -> survey.SurveySpec:
    cols = list(table.df.columns)
    st.markdown("**설문 명세 확인**")
    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 3])
    with c1:
        name = _survey_name(ctx, tag)
    year = c2.number_input("조사 연도", 2000, 2100, _year_guess(p, table, ctx), key=f"survey_year_{tag}")
    wave = c3.text_input("차수(선택)", p.wave, key=f"survey_wave_{tag}", placeholder="예: 상반기")
    scale = c4.selectbox(
        "척도",
        list(pcsi.SCALES),
        index=list(pcsi.SCALES).index(p.scale),
        format_func=pcsi.SCALES.get,
        key=f"survey_scale_{tag}",
        help="10점은 1–10, 11점은 0–10입니다. 100점 환산: k점 (x−1)/(k−1)×100, 11점 x×10.",
    )
    direction = c5.selectbox(
        "척도 방향",
        list(survey.DIRECTIONS),
        index=list(survey.DIRECTIONS).index(p.direction),
        format_func=survey.DIRECTIONS.get,
        key=f"survey_direction_{tag}",
        help="1 = 매우 만족인 설문은 '작은 값이 만족'을 고르세요. 모든 문항을 뒤집어 점수를 냅니다"
        "(역문항은 한 번 더 뒤집혀 원래대로).",
    )
    opts = [NONE, *cols]
    pick = lambda label, value, k: st.selectbox(  # noqa: E731
        label, opts, index=opts.index(value) if value in opts else 0, key=f"survey_{k}_{tag}"
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    with c1:
        facility = pick("시설 열", p.facility_column, "facility")
    with c2:
        ctype = pick("고객유형 열", p.customer_type_column, "ctype")
    with c3:
        weight = pick("가중치 열", p.weight_column, "weight")
    with c4:
        date = pick("조사일 열", p.date_column, "date")
    with c5:
        rid = pick("응답자 ID 열", p.respondent_id_column, "rid")
    c1, c2, c3 = st.columns(3)
    comments = c1.multiselect(
        "자유 의견 열", cols, list(p.comment_columns), key=f"survey_comments_{tag}", placeholder="없음"
    )
    demos = c2.multiselect(
        "응답자 특성 열(성별·연령대 등)",
        cols,
        list(p.demographic_columns),
        key=f"survey_demos_{tag}",
        placeholder="없음",
    )
    missing = c3.text_input(
        "결측 코드(모름/무응답)",
        ", ".join(pcsi.code_text(c) for c in p.missing_codes),
        key=f"survey_missing_{tag}",
        help="이 값들은 점수가 되지 않습니다. 쉼표로 구분.",
    )
    items = _edit_items(p, ctx, tag)
    reverse = st.multiselect(
        "역문항(점수를 뒤집을 문항)",
        [i.column for i in items],
        [i.column for i in items if i.reverse],
        key=f"survey_reverse_{tag}",
        placeholder="없음",
    )
    items = tuple(replace(i, reverse=i.column in reverse) for i in items)
    chosen = {i.column for i in items}
    ignore = tuple(c for c in cols if survey.ITEM_CODE.match(c) and c not in chosen)
    value = lambda v: "" if v == NONE else v  # noqa: E731
    return replace(
        p,
        survey=name,
        year=int(year),
        wave=wave.strip(),
        scale=int(scale),
        direction=str(direction),
        missing_codes=_codes(missing),
        items=items,
        facility_column=value(facility),
        customer_type_column=value(ctype),
        weight_column=value(weight),
        date_column=value(date),
        respondent_id_column=value(rid),
        comment_columns=tuple(comments),
        demographic_columns=tuple(demos),
        ignore_columns=ignore,
    )


def _survey_name(ctx, tag: str) -> str:
    """No default: a stored survey picked from the list, or a new name typed in ('' until then)."""
    with db.session(ctx.settings.db_path) as con:
        stored = pcsi.surveys(con)
    choice = st.selectbox(
        "설문 이름",
        [*stored, NEW_SURVEY],
        index=None,
        key=f"survey_pick_{tag}",
        placeholder="설문을 고르세요",
        help="이미 적재된 설문을 고르거나 맨 아래에서 새 설문을 고르세요.",
    )
    if choice != NEW_SURVEY:
        return choice or ""
    return st.text_input(
        "새 설문 이름", "", key=f"survey_name_{tag}", placeholder="예: 관광사업팀 시설 만족도"
    ).strip()


def _codes(text: str) -> tuple[float | str, ...]:
    """'98, 99, 모름' → (98, 99, '모름'): numbers stay numbers, other words are matched as text."""
    out: list[float | str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            x = float(part)
            out.append(int(x) if x.is_integer() else x)
        except ValueError:
            out.append(part)
    return tuple(out)


def _edit_items(p: survey.SurveySpec, ctx, tag: str) -> tuple[survey.Item, ...]:
    configured = list(ctx.settings.pcsi.area_weights)
    areas = list(dict.fromkeys([*p.areas, *configured]))
    extra = st.text_input(
        "영역 추가(쉼표로 구분, 선택)",
        key=f"survey_areas_{tag}",
        help="기본 영역에 없는 영역 이름을 쓰면 아래 표의 영역 목록에 추가됩니다.",
    )
    areas += [a.strip() for a in extra.split(",") if a.strip() and a.strip() not in areas]
    df = st.session_state.get(f"survey_itembase_{tag}")
    if df is None:
        df = pd.DataFrame(
            {
                "문항 열": [i.column for i in p.items],
                "영역": [i.area for i in p.items],
                "문항 내용": [i.label for i in p.items],
                "점수에 포함": [True] * len(p.items),
            }
        )
    _bulk_controls(areas, tag)
    st.caption("문항 열로 보이는 열과 영역을 제안했습니다. 영역이 빈 문항은 지정해 주세요.")
    generation = st.session_state.get(f"survey_itemgen_{tag}", 0)
    edited = st.data_editor(
        df,
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        key=f"survey_items_{tag}" + (f"_{generation}" if generation else ""),
        height=min(36 * (len(df) + 1) + 3, 800),
        column_config={
            "문항 열": st.column_config.TextColumn(disabled=True),
            "영역": st.column_config.SelectboxColumn(options=areas, required=False),
            "문항 내용": st.column_config.TextColumn(),
            "점수에 포함": st.column_config.CheckboxColumn(),
        },
    )
    st.session_state[f"survey_itemview_{tag}"] = edited
    return tuple(
        survey.Item(
            str(r["문항 열"]),
            "" if pd.isna(r["영역"]) else str(r["영역"]),
            "" if pd.isna(r["문항 내용"]) else str(r["문항 내용"]),
        )
        for _, r in edited.iterrows()
        if bool(r["점수에 포함"])
    )


def _bulk_controls(areas: list[str], tag: str) -> None:
    """Assign one area to many items at once: a prefix (A*), a range (A1–A3) or a list (A1, B2)."""
    c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    pattern = c1.text_input(
        "문항 일괄 지정",
        key=f"survey_bulk_pattern_{tag}",
        placeholder="예: A* 또는 A1–A3",
        help="A*는 A로 시작하는 문항(A1, A2 …), A1–A3은 A1부터 A3까지, 쉼표로 여럿을 씁니다.",
    )
    area = c2.selectbox(
        "지정할 영역", areas, index=None, key=f"survey_bulk_area_{tag}", placeholder="영역을 고르세요"
    )
    c3.button(
        "영역 일괄 지정",
        key=f"survey_bulk_{tag}",
        on_click=_bulk_assign,
        args=(tag,),
        disabled=not (pattern.strip() and area),
        icon=":material/done_all:",
    )
    said = st.session_state.pop(f"survey_bulk_said_{tag}", None)
    if said:
        (st.success if said[0] else st.warning)(md(said[1]))


def _bulk_assign(tag: str) -> None:
    """Button callback: the table as last shown, with the matched items' area set, becomes the
    editor's new starting table (a new editor key, so earlier cell edits are kept in it, not replayed)."""
    view = st.session_state.get(f"survey_itemview_{tag}")
    pattern = st.session_state.get(f"survey_bulk_pattern_{tag}", "")
    area = st.session_state.get(f"survey_bulk_area_{tag}")
    if view is None or not area:
        return
    hit = survey.match_items(pattern, [str(c) for c in view["문항 열"]])
    if not hit:
        st.session_state[f"survey_bulk_said_{tag}"] = (False, f"'{pattern}'에 맞는 문항이 없습니다.")
        return
    base = view.copy()
    base.loc[base["문항 열"].isin(hit), "영역"] = area
    st.session_state[f"survey_itembase_{tag}"] = base
    st.session_state[f"survey_itemgen_{tag}"] = st.session_state.get(f"survey_itemgen_{tag}", 0) + 1
    st.session_state[f"survey_bulk_said_{tag}"] = (True, f"{', '.join(hit)} → {area} ({len(hit)}개 문항)")


def _load(
    ctx,
    data: bytes,
    name: str,
    spec: survey.SurveySpec,
    shown: set[str] = frozenset(),
    confirmed_batch: int | None = None,
) -> None:
    try:
        with st.spinner("적재하는 중…", show_time=True):
            limits = Limits.from_settings(ctx.settings)
            table = sandbox.run(survey.read, data, name, spec, ctx.settings, limits=limits, what=name)
            prep = survey.prepare(table, spec, ctx.settings)
            with db.session(ctx.settings.db_path) as con:
                result = survey.store(
                    con,
                    prep,
                    name,
                    survey.file_sha256(data),
                    user=ctx.user,
                    settings=ctx.settings,
                    confirmed_batch=confirmed_batch,
                )
    except (survey.SurveyError, ReadError) as exc:
        audit_upload("고객만족도", name, f"거부: {str(exc)[:300]}")  # a click: once by nature
        st.error(f"적재하지 않았습니다: {md(exc)}", icon=":material/error:")
        return
    audit_upload("고객만족도", name, result.summary())
    (st.info if result.status == "unchanged" else st.success)(md(result.summary()))
    for w in result.report.get("warnings", []):
        if w not in shown:
            st.warning(md(w))
    from ui.components import link

    link("pcsi", "고객만족도 화면에서 보기", ":material/sentiment_satisfied:")
