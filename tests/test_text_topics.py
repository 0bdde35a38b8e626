"""Words, not strings (issue 13, points 2-5): Kiwi words as keywords, topics on whole words, candidate
topics inside '기타', the '기타' share, English texts, and the evaluation set's figures."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from ccm import db, report, text
from ccm import voc_analytics as va
from ccm.period import Scope
from tests.text_eval import evaluate

COLS = "voc_id, received_at, voc_type, channel, status, title, content, batch_id"
MAY = Scope(date(2025, 5, 1), date(2025, 6, 1))


def add(con, *rows) -> None:
    """rows: (voc_id, voc_type, title, content), received in May 2025 through the web."""
    con.executemany(
        f"INSERT INTO voc_items ({COLS}) VALUES (?, '2025-05-02 10:00', ?, '홈페이지', '완료', ?, ?, 1)",
        [list(r) for r in rows],
    )


def topics(con, voc_id: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT topic FROM voc_topics WHERE voc_id = ?", [voc_id]).fetchall()}


def keywords(con, voc_id: str) -> set[str]:
    return set(text.keywords_of(con, [voc_id]).get(voc_id, []))


def with_topics(env, topics_: dict):
    return replace(env, raw={**env.raw, "text": {**env["text"], "topics": topics_}})


@pytest.fixture
def con(env):
    c = db.connect(env.db_path)
    yield c
    c.close()


def words(texts: list[str], lexicon: tuple[str, ...] = ()) -> list[tuple[list[str], str]]:
    cfg = text.Config(
        2, 0, lexicon, frozenset({"the", "was", "and", "a", "my", "at", "is", "of"}), 0.3, 20, (), frozenset()
    )
    return list(text.words_of(texts, cfg))


# ---- keywords ------------------------------------------------------------------------------------


def test_keywords_lose_their_particles_even_on_words_kiwi_does_not_know():
    ((kw, _),) = words(["단산모노레일가 멈췄어요"])
    assert kw == ["단산모노레일"]


def test_facility_names_are_one_word_from_the_settings(env):
    cfg = text.config(env)
    assert "철로자전거" in cfg.lexicon and "레일바이크" in cfg.lexicon
    ((kw, _),) = text.words_of(["레일바이크 철로자전거가 멈췄어요"], cfg)
    assert kw == ["레일바이크", "철로자전거"]


def test_compound_nouns_stay_together_and_split_pieces_are_joined():
    ((kw, _),) = words(["주차장이 좁고 주정차 단속도 없고 캠핑장 직원들이 불친절해요. 입장권은 비싸요"])
    assert kw == ["주차장", "주정차", "단속", "캠핑장", "직원", "불친절", "입장권"]


def test_text_without_hangul_gets_english_words_without_stop_words():
    ((kw, seq),) = words(["The restrooms at the campsite were dirty and my booking was cancelled"])
    assert kw == ["restroom", "campsite", "were", "dirty", "booking", "cancelled"]
    assert seq == "restroom campsite were dirty booking cancelled"


def test_an_english_complaint_in_a_korean_form_keeps_its_english_keywords():
    ((kw, _),) = words(["■ 내용: The ticket office staff was rude to us at the monorail"])
    assert {"ticket", "office", "staff", "rude", "monorail"} <= set(kw) and "내용" in kw


def test_masks_of_personal_data_are_not_words():
    ((kw, seq),) = words(["[이름] 고객님 [전화번호] 로 연락 주세요 주차"])
    assert kw == ["고객", "연락", "주차"] and "이름" not in seq and "전화번호" not in seq


# ---- topics on whole words -----------------------------------------------------------------------


def test_use_and_design_changes_are_not_reservations(con, env):
    add(
        con,
        ("U1", "건의", "창고 용도변경 문의", "용도변경 서류가 궁금합니다"),
        ("U2", "불만", "설계변경 처리 지연", "설계변경 신청 결과가 없습니다"),
        ("U3", "문의", "예약 변경", "캠핑장 예약을 변경하고 싶어요"),
    )
    text.enrich(con, env)
    assert "예약" not in topics(con, "U1") | topics(con, "U2")
    assert topics(con, "U1") == {"건축·인허가"} and "건축·인허가" in topics(con, "U2")
    assert topics(con, "U3") == {"예약"}


def test_a_term_matches_whole_words_never_part_of_one(con, env):
    add(
        con,
        ("W1", "문의", "주차장 위치", "주차장이 어디인가요"),
        ("W2", "불만", "주차 불편", "주차할 곳이 없어요"),
    )
    text.enrich(con, with_topics(env, {"주차": ["주차"], "예약": ["예약"]}))
    assert topics(con, "W1") == {text.NO_TOPIC}  # 주차장 is its own word
    assert topics(con, "W2") == {"주차"}


def test_a_term_matches_a_word_kiwi_split_a_piece_off(con, env):
    add(con, ("J1", "불만", "요금", "주차비가 비싸요"))
    text.enrich(con, with_topics(env, {"주차": ["주차"]}))
    assert topics(con, "J1") == {"주차"}
    assert text.tokens_of(con, "J1") == "요금 | 주차+비 비싸다" and keywords(con, "J1") == {"요금", "주차비"}


def test_a_several_word_term_matches_words_in_a_row_within_a_sentence(con, env):
    add(
        con,
        ("S1", "문의", "변경", "예약을 다음 주로 변경하고 싶어요"),
        ("S2", "문의", "일정", "예약을 변경하고 싶어요"),
        ("S3", "문의", "일정", "예약했어요. 변경은 없어요"),
    )
    text.enrich(con, with_topics(env, {"예약 변경": ["예약 변경"]}))
    assert topics(con, "S1") == topics(con, "S3") == {text.NO_TOPIC}
    assert topics(con, "S2") == {"예약 변경"}


def test_verbs_and_adjectives_match_in_any_ending(con, env):
    add(
        con,
        ("V1", "불만", "요금", "입장료가 너무 비쌉니다"),
        ("V2", "불만", "요금", "너무 비싸서 못 탔어요"),
        ("V3", "불만", "분실", "휴대폰을 두고 내렸어요"),
    )
    text.enrich(con, env)
    assert topics(con, "V1") == topics(con, "V2") == {"요금·환불"}
    assert topics(con, "V3") == {"유실물"}


def test_english_complaints_get_topics_from_english_terms(con, env):
    add(
        con,
        ("E1", "불만", "Illegal Parking", "Blocked Hydrant"),
        ("E2", "불만", "Rude staff", "The staff at the ticket office was rude"),
    )
    text.enrich(con, env)
    assert topics(con, "E1") == {"주차"} and topics(con, "E2") == {"친절"}
    assert {"illegal", "parking", "blocked", "hydrant"} == keywords(con, "E1")


# ---- '기타': its share, candidate topics, one-click acceptance -------------------------------------

STREETLIGHTS = [
    ("L1", "불만", "가로수 가지", "가로수 가지가 전선에 닿았어요"),
    ("L2", "불만", "가로수 그늘", "가로수 가지가 창문을 가려요"),
    ("L3", "건의", "가로수 심기", "가로수를 더 심어 주세요"),
    ("L4", "불만", "현수막", "현수막이 가로수에 걸려 있어요"),
    ("L5", "불만", "현수막", "교차로 현수막이 시야를 가려요"),
    ("L6", "불만", "주차 불편", "주차할 곳이 없어요"),
]


def test_text_coverage_counts_items_analysed_and_left_in_other(con, env):
    add(con, *STREETLIGHTS)
    assert va.text_coverage(con, MAY) == {
        "items": 6,
        "analysed": 0,
        "topical": 0,
        "other": 0,
        "with_keywords": 0,
        "other_share": None,
    }
    text.enrich(con, env)
    cov = va.text_coverage(con, MAY)
    assert (cov["analysed"], cov["topical"], cov["other"]) == (6, 1, 5) and cov["other_share"] == 5 / 6
    assert va.text_coverage(con, MAY, "건의")["other"] == 1


def test_keyword_groups_by_hand():
    pairs = pd.DataFrame(
        [
            ("a", "가로수"),
            ("b", "가로수"),
            ("c", "가로수"),
            ("a", "가지"),
            ("b", "가지"),
            ("d", "현수막"),
            ("e", "현수막"),
            ("c", "현수막"),
            ("f", "시야"),
        ],
        columns=["voc_id", "keyword"],
    )
    # 가로수 (3 items) takes 가지 (both its items are 가로수 items); 현수막 (3) keeps d, e — c went to 가로수
    assert text.keyword_groups(pairs, min_items=2, limit=5) == [(["가로수", "가지"], 3), (["현수막"], 2)]
    assert text.keyword_groups(pairs, min_items=3, limit=5) == [(["가로수", "가지"], 3)]


def test_candidate_topics_are_the_largest_keyword_groups_in_other(con, env):
    add(con, *STREETLIGHTS)
    text.enrich(con, env)
    df = va.topic_candidates(con, MAY, env)
    first = df.iloc[0]
    assert first["topic"] == "가로수" and first["items"] == 4 and first["share"] == pytest.approx(4 / 5)
    assert "가지" in first["words"]


def test_accepting_a_candidate_takes_its_items_out_of_other(con, env):
    add(con, *STREETLIGHTS)
    text.enrich(con, env)
    first = va.topic_candidates(con, MAY, env).iloc[0]
    edited = text.add_topic(env.path.read_text(encoding="utf-8"), first["topic"], first["words"])
    env.path.write_text(edited, encoding="utf-8")
    from ccm.settings import load_settings

    settings = load_settings(env.path)
    assert text.topics_of(settings)["가로수"] == list(first["words"])
    assert text.enrich(con, settings) == 0  # re-tagged, nothing re-analysed
    assert all(topics(con, v) == {"가로수"} for v in ("L1", "L2", "L3")) and "가로수" in topics(con, "L4")
    assert va.text_coverage(con, MAY)["other"] == 1


def test_the_report_states_the_other_share(env):
    with db.session(env.db_path) as c:
        c.executemany(
            f"INSERT INTO voc_items ({COLS}) VALUES (?, '2025-08-02 10:00', ?, '홈페이지', '완료', ?, ?, 1)",
            [list(r) for r in STREETLIGHTS],
        )
        text.enrich(c, env)
        wb = openpyxl.load_workbook(io.BytesIO(report.build_workbook(c, env, 2025, 2, datetime(2026, 1, 10))))
    lines = [c.value for row in wb["키워드·주제"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "기타(어느 주제에도 맞지 않음) 비중 83.3% — 분석한 6건 중 5건" in lines


# ---- the evaluation set (tests/text_eval): what the changes bought --------------------------------


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    from ccm.settings import ROOT, load_settings

    folder = tmp_path_factory.mktemp("eval")
    mp = pytest.MonkeyPatch()
    mp.setenv("CCM_SECRET_KEY_FILE", str(folder / "secret.key"))
    try:
        return evaluate.evaluate(load_settings(ROOT / "settings.toml", db=folder / "none.duckdb"))
    finally:
        mp.undo()


def test_evaluation_set_is_large_and_shaped_like_real_exports():
    rows = evaluate.read_set()
    assert len(rows) >= 300 and rows["source"].nunique() >= 6
    assert rows["title"].str.startswith("[생활불편신고]").sum() >= 50
    assert rows["content"].str.contains("첨부 파일").sum() >= 30
    lengths = rows["title"].str.len() + rows["content"].str.len()
    assert (lengths > 350).sum() >= 5 and lengths.max() > 600 and (lengths < 40).sum() >= 20


def test_evaluation_other_share_is_near_the_analysts(scored):
    # before issue 13: 42.3% (the analyst: 11.1%)
    assert scored["other_share"] <= scored["analyst_other_share"] + 0.05


def test_evaluation_agreement_with_the_analyst(scored):
    # before issue 13: 54.4%
    assert scored["agreement"] >= 0.85


def test_evaluation_keywords_are_not_the_forms(scored):
    top = {k for k, _ in scored["top_keywords"]}
    assert not top & {"첨부", "파일", "생활", "불편", "신고", "생활불편신고", "민원", "시설", "이름"}


def test_evaluation_english_texts_all_have_keywords(scored):
    assert scored["english_with_keywords"] == scored["english_texts"] == 30
