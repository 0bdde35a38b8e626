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


def render(ctx) -> None:
    st.markdown("조사기관이 준 **응답자 원자료**(응답자 1행, 문항 열 A1…E3 등)를 올리면 문항·영역·척도를 제안합니다. "
                "확인하거나 고친 뒤 적재하세요. 같은 설문(이름·연도·차수)을 다시 올리면 이전 적재를 대체합니다.")
    c1, c2 = st.columns([2, 1])
    base_name = c1.selectbox("기본 설문 명세", list(BASES), key="survey_base")
    spec_up = c2.file_uploader("저장해 둔 명세 파일(선택)", type=["toml"], key="survey_spec_file")
    up = st.file_uploader("응답자 원자료 파일 (.xlsx, .xls, .csv)", type=["xlsx", "xls", "csv"], key="survey_file")
    if up is None:
        st.caption("이름·연락처 열은 저장하지 않고, 자유 의견 속 전화번호·이메일은 가려서 저장합니다.")
        return
    data = up.getvalue()
    try:
        base = _base_spec(base_name, spec_up)
        table, proposed = _read_and_propose(data, up.name, base.to_json(), ui_data.data_version())
    except (survey.SurveyError, ReadError) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    tag = hashlib.sha256(data).hexdigest()[:8]
    _preview(table, ctx.settings)
    spec = _edit_spec(proposed, table, ctx, tag)
    st.download_button("이 명세를 파일로 저장(.toml)", survey.spec_toml(spec), f"{spec.survey}_명세.toml",
                       "application/toml", key=f"survey_spec_dl_{tag}", on_click="ignore",
                       icon=":material/download:")
    with db.session(ctx.settings.db_path) as con:
        current = pcsi.active_batch(con, spec.survey, spec.year, spec.wave)
    if current:
        st.info(f"같은 조사({md(spec.survey)} {spec.year}{' ' + md(spec.wave) if spec.wave else ''})가 이미 적재되어 있습니다: "
                f"배치 {current['batch_id']}, {md(current['file_name'])}, 응답자 {current['respondents']:,}명. "
                "내용이 다르면 적재할 때 이 배치를 대체합니다(관리 화면에서 되돌릴 수 있음).", icon=":material/info:")
    notes = survey.scale_notes(table, spec)
    for note in notes:
        st.warning(md(note), icon=":material/warning:")
    if st.button("확인하고 적재", type="primary", key=f"survey_load_{tag}", icon=":material/upload:"):
        _load(ctx, data, up.name, spec, shown=set(notes))


@st.cache_data(show_spinner="파일을 읽는 중…", max_entries=4)
def _read_and_propose(data: bytes, name: str, base_json: str, version: tuple):
    """Read once per file (widgets rerun the page on every change); errors are not cached."""
    settings = ui_data.settings()
    base = survey.SurveySpec.from_dict(json.loads(base_json))
    # parsed in a child process: no file can take the server down
    table = sandbox.run(survey.read, data, name, base, settings, limits=Limits.from_settings(settings), what=name)
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
    with st.expander(f"파일 미리보기 — {len(table.df):,}행, 머리글 {table.header_row}행"
                     + (f" (개인정보 열 {md_join(sorted(hidden))}은(는) 숨김·저장 안 함)" if hidden else "")):
        st.dataframe(visible_frame(table.df.drop(columns=list(hidden)).head(10)), hide_index=True)


def _year_guess(proposed: survey.SurveySpec, table, ctx) -> int:
    if proposed.year:
        return proposed.year
    if proposed.date_column:
        from etl.readers import parse_datetimes

        d = parse_datetimes(table.df[proposed.date_column]).dropna()
        if len(d):
            return int(d.dt.year.mode().iloc[0])
    m = re.search(r"(20\d{2})", table.file_name + " ".join(table.title_rows))
    return int(m.group(1)) if m else ctx.now.year


def _edit_spec(p: survey.SurveySpec, table, ctx, tag: str) -> survey.SurveySpec:
    cols = list(table.df.columns)
    st.markdown("**설문 명세 확인**")
    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 3])
    name = c1.text_input("설문 이름", p.survey, key=f"survey_name_{tag}")
    year = c2.number_input("조사 연도", 2000, 2100, _year_guess(p, table, ctx), key=f"survey_year_{tag}")
    wave = c3.text_input("차수(선택)", p.wave, key=f"survey_wave_{tag}", placeholder="예: 상반기")
    scale = c4.selectbox("척도", list(pcsi.SCALES), index=list(pcsi.SCALES).index(p.scale),
                         format_func=pcsi.SCALES.get, key=f"survey_scale_{tag}",
                         help="10점은 1–10, 11점은 0–10입니다. 100점 환산: k점 (x−1)/(k−1)×100, 11점 x×10.")
    direction = c5.selectbox("척도 방향", list(survey.DIRECTIONS), index=list(survey.DIRECTIONS).index(p.direction),
                             format_func=survey.DIRECTIONS.get, key=f"survey_direction_{tag}",
                             help="1 = 매우 만족인 설문은 '작은 값이 만족'을 고르세요. 모든 문항을 뒤집어 점수를 냅니다"
                                  "(역문항은 한 번 더 뒤집혀 원래대로).")
    opts = [NONE, *cols]
    pick = lambda label, value, k: st.selectbox(  # noqa: E731
        label, opts, index=opts.index(value) if value in opts else 0, key=f"survey_{k}_{tag}")
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
    comments = c1.multiselect("자유 의견 열", cols, list(p.comment_columns), key=f"survey_comments_{tag}",
                              placeholder="없음")
    demos = c2.multiselect("응답자 특성 열(성별·연령대 등)", cols, list(p.demographic_columns), key=f"survey_demos_{tag}",
                           placeholder="없음")
    missing = c3.text_input("결측 코드(모름/무응답)", ", ".join(pcsi.code_text(c) for c in p.missing_codes),
                            key=f"survey_missing_{tag}", help="이 값들은 점수가 되지 않습니다. 쉼표로 구분.")
    items = _edit_items(p, ctx, tag)
    reverse = st.multiselect("역문항(점수를 뒤집을 문항)", [i.column for i in items],
                             [i.column for i in items if i.reverse], key=f"survey_reverse_{tag}", placeholder="없음")
    items = tuple(replace(i, reverse=i.column in reverse) for i in items)
    chosen = {i.column for i in items}
    ignore = tuple(c for c in cols if survey.ITEM_CODE.match(c) and c not in chosen)
    value = lambda v: "" if v == NONE else v  # noqa: E731
    return replace(p, survey=name.strip() or p.survey, year=int(year), wave=wave.strip(), scale=int(scale),
                   direction=str(direction),
                   missing_codes=_codes(missing), items=items, facility_column=value(facility),
                   customer_type_column=value(ctype), weight_column=value(weight), date_column=value(date),
                   respondent_id_column=value(rid), comment_columns=tuple(comments),
                   demographic_columns=tuple(demos), ignore_columns=ignore)


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
    configured = list(ctx.settings.get("pcsi", {}).get("area_weights", {}))
    areas = list(dict.fromkeys([*p.areas, *configured]))
    extra = st.text_input("영역 추가(쉼표로 구분, 선택)", key=f"survey_areas_{tag}",
                          help="기본 영역에 없는 영역 이름을 쓰면 아래 표의 영역 목록에 추가됩니다.")
    areas += [a.strip() for a in extra.split(",") if a.strip() and a.strip() not in areas]
    df = pd.DataFrame({"문항 열": [i.column for i in p.items], "영역": [i.area for i in p.items],
                       "문항 내용": [i.label for i in p.items], "점수에 포함": [True] * len(p.items)})
    st.caption("문항 열로 보이는 열과 영역을 제안했습니다. 영역이 빈 문항은 지정해 주세요.")
    edited = st.data_editor(
        df, hide_index=True, width="stretch", key=f"survey_items_{tag}", num_rows="fixed",
        height=min(36 * (len(df) + 1) + 3, 800),
        column_config={
            "문항 열": st.column_config.TextColumn(disabled=True),
            "영역": st.column_config.SelectboxColumn(options=areas, required=False),
            "문항 내용": st.column_config.TextColumn(),
            "점수에 포함": st.column_config.CheckboxColumn(),
        })
    return tuple(survey.Item(str(r["문항 열"]), "" if pd.isna(r["영역"]) else str(r["영역"]),
                             "" if pd.isna(r["문항 내용"]) else str(r["문항 내용"]))
                 for _, r in edited.iterrows() if bool(r["점수에 포함"]))


def _load(ctx, data: bytes, name: str, spec: survey.SurveySpec, shown: set[str] = frozenset()) -> None:
    try:
        with st.spinner("적재하는 중…", show_time=True):
            limits = Limits.from_settings(ctx.settings)
            table = sandbox.run(survey.read, data, name, spec, ctx.settings, limits=limits, what=name)
            prep = survey.prepare(table, spec, ctx.settings)
            with db.session(ctx.settings.db_path) as con:
                result = survey.store(con, prep, name, survey.file_sha256(data), loaded_by=ctx.user.username)
    except (survey.SurveyError, ReadError) as exc:
        st.error(f"적재하지 않았습니다: {md(exc)}", icon=":material/error:")
        return
    audit_upload("고객만족도", name, result.summary())
    (st.info if result.status == "unchanged" else st.success)(md(result.summary()))
    for w in result.report.get("warnings", []):
        if w not in shown:
            st.warning(md(w))
    from ui.components import link

    link("pcsi", "고객만족도 화면에서 보기", ":material/sentiment_satisfied:")
