"""Boilerplate learned from the data per source (file or channel), cut before keywords and topics, listed and
edited by the CCM team (issue 13, point 1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ccm import audit, db, settings_edit, text

# 24 distinct complaints; each source below wraps them in its own form
BODIES = [
    ("가로등 고장", "집 앞 가로등이 사흘째 꺼져 있습니다."),
    ("보도블록 파손", "시장 앞 보도블록이 깨져 있습니다."),
    ("쓰레기 무단투기", "다리 밑에 쓰레기를 버리고 갑니다."),
    ("공사장 소음", "밤늦게까지 공사 소리가 납니다."),
    ("불법 주정차", "학교 앞에 차들이 서 있습니다."),
    ("유기견", "목줄 없는 개가 돌아다닙니다."),
    ("하수구 악취", "골목 하수구에서 냄새가 납니다."),
    ("버스정류장 의자", "정류장에 앉을 곳이 없습니다."),
    ("횡단보도 신호", "보행 신호가 너무 짧습니다."),
    ("놀이터 그네", "그네 줄이 끊어져 있습니다."),
    ("낙석 위험", "고갯길에 돌이 떨어져 있습니다."),
    ("눈 치우기", "언덕길에 눈이 쌓여 미끄럽습니다."),
    ("방치 차량", "번호판 없는 차가 석 달째 있습니다."),
    ("공원 화장실", "공원 화장실이 너무 더럽습니다."),
    ("확성기 소음", "아침마다 확성기 소리가 큽니다."),
    ("배수로 막힘", "비만 오면 배수로가 넘칩니다."),
    ("차선 도색", "삼거리 차선이 보이지 않습니다."),
    ("가로수 가지", "가지가 전선에 닿아 있습니다."),
    ("수돗물 녹물", "수돗물에서 누런 물이 나옵니다."),
    ("경로당 냉방", "경로당 에어컨이 고장 났습니다."),
    ("민원실 대기", "등본 한 장에 사십 분을 기다렸습니다."),
    ("체육관 예약", "주말 체육관 예약은 언제 하나요?"),
    ("불법 현수막", "교차로마다 현수막이 붙어 있습니다."),
    ("하천 쓰레기", "하천변에 쓰레기가 쌓였습니다."),
]
COLS = "voc_id, received_at, voc_type, channel, status, title, content, batch_id"


def add(con, rows: list[tuple], batch_id: int, channel: str, file_name: str, prefix: str) -> None:
    con.execute(
        "INSERT INTO load_batches (batch_id, kind, file_name, sha256) VALUES (?, 'voc', ?, ?)",
        [batch_id, file_name, f"sha-{batch_id}"],
    )
    con.executemany(
        f"INSERT INTO voc_items ({COLS}) VALUES (?, ?, '불만', ?, '완료', ?, ?, ?)",
        [
            (f"{prefix}{i:02d}", f"2025-05-{1 + i % 28:02d} 10:00", channel, t, c, batch_id)
            for i, (t, c) in enumerate(rows)
        ],
    )


def county(bodies=BODIES) -> list[tuple]:
    """Every title behind [생활불편신고], an attachment line under 3 of 4 contents."""
    return [
        (f"[생활불편신고] {t}", c + ("\n\n첨부 파일" if i % 4 else "")) for i, (t, c) in enumerate(bodies)
    ]


def web_form(bodies=BODIES) -> list[tuple]:
    """Greeting on 2 of 3, closing on half, labelled reply field with three choices."""
    out = []
    for i, (t, c) in enumerate(bodies):
        lines = (
            (["안녕하세요. 수고 많으십니다."] if i % 3 else [])
            + [f"■ 민원 내용: {c}"]
            + (["감사합니다."] if i % 2 else [])
            + [f"■ 답변 방법: {['문자', '전화', '이메일'][i % 3]}"]
        )
        out.append((t, "\n".join(lines)))
    return out


def keywords(con, voc_id: str) -> set[str]:
    return set(text.keywords_of(con, [voc_id]).get(voc_id, []))


def topics(con, voc_id: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT topic FROM voc_topics WHERE voc_id = ?", [voc_id]).fetchall()}


def learned(con) -> set[tuple[str, str, str]]:
    return set(con.execute("SELECT kind, source, fragment FROM text_boilerplate").fetchall())


@pytest.fixture
def con(env):
    c = db.connect(env.db_path)
    yield c
    c.close()


# ---- learning from texts (pure functions) --------------------------------------------------------


def test_a_bracketed_title_prefix_on_every_text_is_learned():
    texts = [f"{t}\n{c}" for t, c in county()]
    assert dict(text.learn_fragments(texts, 0.3))["[생활불편신고]"] == 24


def test_attachment_greeting_and_closing_lines_are_learned():
    texts = [f"{t}\n{c}" for t, c in county() + web_form()]
    found = dict(text.learn_fragments(texts, 0.3))
    assert found["첨부 파일"] == 18  # 3 of 4 county texts
    assert (
        found["안녕하세요"] == found["수고 많으십니다"] == 16
    )  # 2 of 3 web texts, split at the sentence end


def test_an_attachment_line_run_into_the_sentence_is_learned_from_how_texts_end():
    texts = [f"{t}\n{c} 첨부 파일" for t, c in BODIES]
    assert ("첨부 파일", 24) in text.learn_fragments(texts, 0.3)
    assert "파일" not in dict(text.learn_fragments(texts, 0.3))  # part of 첨부 파일, on the same texts


def test_prefixes_in_parentheses_or_before_a_dash_are_learned():
    found = dict(text.learn_fragments([f"(생활불편) {t}\n{c}" for t, c in BODIES], 0.3))
    assert found["(생활불편)"] == 24
    found = dict(text.learn_fragments([f"생활불편신고 - {t}\n{c}" for t, c in BODIES], 0.3))
    assert found["생활불편신고"] == 24


def test_sentences_split_without_a_space_after_the_stop_but_not_inside_numbers():
    assert text.SENTENCE_END.split("안녕하세요.주차장이 좁아요. 3.5km 떨어졌어요") == [
        "안녕하세요.",
        "주차장이 좁아요.",
        "3.5km 떨어졌어요",
    ]


def test_a_fragment_under_the_share_is_not_learned():
    texts = [f"{t}\n{c}" for t, c in web_form()]  # 감사합니다 on 12 of 24 texts
    assert "감사합니다" in dict(text.learn_fragments(texts, 0.5))
    assert "감사합니다" not in dict(text.learn_fragments(texts, 0.51))


def test_a_repeated_whole_title_is_a_category_not_boilerplate():
    texts = [f"주차 문의\n{c} 추가로 알려 주세요." for _, c in BODIES]
    assert "주차 문의" not in dict(text.learn_fragments(texts, 0.3))


def test_duplicated_texts_count_once():
    """The same complaint sent 20 times is one text: its sentences are not a form."""
    texts = ["주차\n주차장이 좁아요. 차를 댈 곳이 없어요."] * 20 + [
        f"{t}\n{c} 부탁드립니다." for t, c in BODIES[:5]
    ]
    assert text.learn_fragments(texts, 0.3) == [("부탁드립니다", 5)]


def test_a_field_of_a_few_choices_goes_with_its_value_a_free_text_field_keeps_its_value():
    found = dict(text.learn_fragments([f"{t}\n{c}" for t, c in web_form()], 0.3))
    assert "답변 방법: (값)" in found and "민원 내용:" in found and "민원 내용: (값)" not in found


def test_cut_replaces_fragments_with_line_breaks_numbers_and_spaces_loosely():
    keys = ["[생활불편신고]", "첨부 파일 #개", "답변 방법: (값)"]
    cut = text.cut_boilerplate("[생활불편신고] 가로등\n꺼졌어요\n첨부  파일 12개\n■ 답변 방법: 문자", keys)
    assert cut == "\n 가로등\n꺼졌어요\n\n\n■ \n"


def test_fragment_keys_are_normalised():
    assert text.normalise("  ■ 첨부   파일 (3)  ") == "첨부 파일 (#)"
    assert text.normalise("감사합니다!!") == "감사합니다"


# ---- learning in enrich, per source ---------------------------------------------------------------


def test_enrich_learns_per_file_and_channel_and_cuts_before_analysis(con, env):
    add(con, county(), 1, "외부기관 이관", "생활불편신고.xlsx", "C")
    text.enrich(con, env)
    assert {
        ("batch", "1", "[생활불편신고]"),
        ("batch", "1", "첨부 파일"),
        ("channel", "외부기관 이관", "[생활불편신고]"),
    } <= learned(con)
    assert keywords(con, "C00") == {"가로등", "고장", "사흘째"}
    every = {k for (k,) in con.execute("SELECT DISTINCT keyword FROM voc_keywords").fetchall()}
    assert not every & {"생활", "불편", "신고", "생활불편신고", "첨부", "파일"}


def test_a_small_source_learns_nothing(con, env):
    add(con, county()[:10], 1, "외부기관 이관", "small.xlsx", "S")  # boilerplate_min_texts = 20
    text.enrich(con, env)
    assert learned(con) == set()
    assert {"생활", "불편", "신고"} <= keywords(con, "S00")


def test_one_files_boilerplate_is_not_cut_from_another_file(con, env):
    add(con, county(), 1, "외부기관 이관", "county.xlsx", "C")
    add(con, [(t, f"{c}\n첨부 파일 참조") for t, c in BODIES[:3]], 2, "방문", "visits.xlsx", "V")
    text.enrich(con, env)
    assert "첨부" not in keywords(con, "C01") and "첨부" in keywords(con, "V00")


def test_channel_boilerplate_is_learned_across_files(con, env):
    """Three files of 8 texts each are too small alone; their channel (24 texts) is not."""
    for b in range(3):
        add(con, county(BODIES[8 * b : 8 * b + 8]), b + 1, "외부기관 이관", f"part{b}.xlsx", f"P{b}")
    text.enrich(con, env)
    assert learned(con) == {
        ("channel", "외부기관 이관", "[생활불편신고]"),
        ("channel", "외부기관 이관", "첨부 파일"),
    }
    assert not keywords(con, "P101") & {"생활", "불편", "신고"}


def test_an_unchanged_rerun_analyses_nothing_and_keeps_what_was_learned(con, env):
    add(con, county(), 1, "외부기관 이관", "county.xlsx", "C")
    text.enrich(con, env)
    before = learned(con)
    assert text.enrich(con, env) == 0
    assert learned(con) == before


def test_a_rolled_back_file_takes_its_boilerplate_with_it(con, env):
    add(con, county(), 1, "외부기관 이관", "county.xlsx", "C")
    text.enrich(con, env)
    con.execute("DELETE FROM voc_items")
    text.enrich(con, env)
    assert learned(con) == set()


# ---- the team's entries (settings) ----------------------------------------------------------------


def with_text(env, **changes):
    return replace(env, raw={**env.raw, "text": {**env["text"], **changes}})


def test_a_kept_fragment_comes_back_into_the_keywords(con, env):
    add(con, county(), 1, "외부기관 이관", "county.xlsx", "C")
    text.enrich(con, env)
    assert "첨부" not in keywords(con, "C01")
    kept = with_text(env, boilerplate_keep=["첨부 파일"])
    assert text.enrich(con, kept) == 18  # only the texts with the attachment line changed
    assert {"첨부", "파일"} <= keywords(con, "C01")
    assert "생활불편신고" not in keywords(con, "C01")


def test_a_fragment_the_team_adds_is_cut_everywhere(con, env):
    add(con, [("주차 불편", "주차장이 좁아요. 민원 처리 결과를 알려 드립니다")], 1, "방문", "one.xlsx", "M")
    text.enrich(con, env)
    assert "결과" in keywords(con, "M00")
    text.enrich(con, with_text(env, boilerplate=["민원 처리 결과를 알려 드립니다"]))
    assert keywords(con, "M00") == {"주차", "불편", "주차장"}


def test_boilerplate_table_lists_where_each_fragment_was_found_and_what_the_team_decided(con, env):
    add(con, county(), 1, "외부기관 이관", "생활불편신고.xlsx", "C")
    settings = with_text(env, boilerplate=["민원 처리 결과"], boilerplate_keep=["첨부 파일"])
    text.enrich(con, settings)
    df = text.boilerplate_table(con, settings)
    rows = {(r.fragment, r.source): (r.state, r.texts, r.total) for r in df.itertuples()}
    assert rows[("[생활불편신고]", "파일 생활불편신고.xlsx")] == ("제외", 24, 24)
    assert rows[("[생활불편신고]", "채널 외부기관 이관")] == ("제외", 24, 24)
    assert rows[("첨부 파일", "파일 생활불편신고.xlsx")][0] == "유지(팀 결정)"
    assert rows[("민원 처리 결과", "직접 추가")][0] == "직접 추가"


def test_boilerplate_entries_changed_in_settings_are_reported_until_the_next_analysis(con, env):
    add(con, county(), 1, "외부기관 이관", "county.xlsx", "C")
    text.enrich(con, env)
    kept = with_text(env, boilerplate_keep=["첨부 파일"])
    assert text.boilerplate_stale(con, kept) and not text.boilerplate_stale(con, env)
    text.enrich(con, kept)
    assert not text.boilerplate_stale(con, kept)


def test_settings_edits_keep_comments_and_pass_the_settings_check(env):
    original = env.path.read_text(encoding="utf-8")
    edited = text.keep_fragment(text.cut_fragment(original, "첨부  파일"), "[생활불편신고]")
    raw, errors = settings_edit.check_text(edited)
    assert errors == []
    assert raw["text"]["boilerplate"] == ["첨부 파일"] and raw["text"]["boilerplate_keep"] == [
        "[생활불편신고]"
    ]
    assert "# 직접 추가한 상용구" in edited and edited.count("\n") == original.count("\n")
    back = text.keep_fragment(text.cut_fragment(edited, "[생활불편신고]"), "첨부 파일")
    assert settings_edit.check_text(back)[0]["text"]["boilerplate"] == []
    assert settings_edit.check_text(back)[0]["text"]["boilerplate_keep"] == []


def test_bad_text_settings_are_refused_in_korean(env):
    raw = {**env.raw, "text": {**env["text"], "boilerplate": "첨부 파일", "boilerplate_share": 1.5}}
    errors = settings_edit.validate(raw)
    assert any(e.startswith('[text] boilerplate = "첨부 파일": 글자') for e in errors), errors
    assert "[text] boilerplate_share = 1.5: 0보다 크고 1 이하인 수여야 합니다." in errors


# ---- the page ------------------------------------------------------------------------------------


def _bp_page(app_test, role: str = "분석"):
    at = app_test("pages/trends.py", role=role)
    at.session_state["flt_kind"] = "month"
    at.session_state["flt_year"] = 2025
    at.session_state["flt_index"] = 5
    return at.run()


def test_the_page_lists_the_boilerplate_and_a_team_member_keeps_a_fragment(app_test, env):
    with db.session(env.db_path) as c:
        add(c, county(), 1, "외부기관 이관", "생활불편신고.xlsx", "C")
        text.enrich(c, env)
    at = _bp_page(app_test)
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "상용구" in d.value.columns)
    assert {"[생활불편신고]", "첨부 파일"} <= set(listed["상용구"])
    at.selectbox(key="tr_bp_keep_pick").select("첨부 파일").run()
    at.button(key="tr_bp_keep").click().run()
    assert not at.exception and not at.error
    assert (
        '"첨부 파일"' in env.path.read_text(encoding="utf-8").split("boilerplate_keep = ")[1].split("\n")[0]
    )
    with db.session(env.db_path) as c:
        assert "첨부" in keywords(c, "C01")
        log = audit.query(c, actions=("settings",))
    assert log["사용자"].tolist() == ["test-분석"] and "첨부 파일" in log["상세"].iloc[0]


def test_a_viewer_sees_the_boilerplate_but_cannot_edit_it(app_test, env):
    with db.session(env.db_path) as c:
        add(c, county(), 1, "외부기관 이관", "county.xlsx", "C")
        text.enrich(c, env)
    at = _bp_page(app_test, role="열람")
    assert not at.exception
    assert any("상용구" in d.value.columns for d in at.dataframe)
    assert not [b for b in at.button if b.key and b.key.startswith("tr_bp")]
