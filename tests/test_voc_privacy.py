"""Planted personal data never reaches the database file in clear, in any table or column."""
import re
import unicodedata

import duckdb

from etl.__main__ import main
from tests.voc_files import write_csv, write_xlsx

NAME, PHONE, EMAIL, RRN = "홍길동", "010-2345-6789", "gildong.hong@example.com", "900101-1234567"
TEXT_PHONE, TEXT_EMAIL, TEXT_RRN = "010-9876-5432", "secret.mail@test.co.kr", "851215-2345678"
# Typed with full-width characters, other dashes or spaced separators (all encodable in CP949).
ODD_PHONE, ODD_EMAIL, ODD_RRN, SPACED_PHONE = "０１０－５５５５－１２１２", "ｆｕｌｌ＠ｗｉｄｔｈ．ｋｒ", "８８０２０２―１３５７９１１", "010 - 7777 - 3434"
HEADER = ["접수번호", "접수일시", "유형", "민원인", "연락처", "이메일", "주민등록번호", "제목", "내용", "처리내용"]


def planted_rows() -> list[list[str]]:
    return [
        ["P1", "2025-03-04 10:00", "불만", NAME, PHONE, EMAIL, RRN, f"회신 바랍니다 {TEXT_PHONE}",
         f"저는 {NAME}입니다. 연락 {TEXT_PHONE} 또는 {TEXT_EMAIL}, 주민번호 {TEXT_RRN}", f"{NAME} 고객님께 {TEXT_PHONE}로 회신함"],
        ["P2", "2025-03-05 11:00", "문의", NAME, PHONE.replace("-", ""), "", "", "문의",
         f"전화 {TEXT_PHONE.replace('-', ' ')} 메일 {TEXT_EMAIL}", ""],
        ["P3", "2025-03-06 12:00", "불만", "", "", "", "", f"연락처 {ODD_PHONE}",
         f"메일 {ODD_EMAIL} 주민번호 {ODD_RRN} 휴대폰 {SPACED_PHONE}", ""],
    ]


def needles() -> list[str]:
    out = []
    for v in (PHONE, RRN, TEXT_PHONE, TEXT_RRN, ODD_PHONE, ODD_RRN, SPACED_PHONE):
        for form in (v, unicodedata.normalize("NFKC", v)):
            digits = re.sub(r"\D", "", form)
            out += [form, digits, digits[-8:], form.replace("-", " ")]
    return out + [NAME, EMAIL, TEXT_EMAIL, "gildong", "secret.mail", ODD_EMAIL, "ｆｕｌｌ", "full@"]


def all_text(db_path) -> str:
    """Every value of every column of every table, as text."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        parts = []
        for t in tables:
            cols = [r[0] for r in con.execute(f'DESCRIBE "{t}"').fetchall()]
            for c in cols:
                parts += [str(v[0]) for v in con.execute(f'SELECT DISTINCT "{c}"::VARCHAR FROM "{t}"').fetchall()]
        return "\n".join(parts)
    finally:
        con.close()


def test_no_planted_personal_data_in_any_table(tmp_path, db_path):
    csv_path = write_csv(tmp_path / "p.csv", planted_rows(), header=HEADER, encoding="cp949")
    assert main(["voc", str(csv_path)]) == 0
    xlsx_rows = [[f"X{r[0]}", *r[1:]] for r in planted_rows()]
    assert main(["voc", str(write_xlsx(tmp_path / "p.xlsx", xlsx_rows, header=HEADER))]) == 0
    text = all_text(db_path)
    assert "P1" in text and "XP2" in text  # the items are there…
    leaked = [n for n in needles() if n in text]
    assert leaked == []                    # …but none of the personal data
    assert "[전화번호]" in text and "[이메일]" in text and "[주민번호]" in text


def test_identity_columns_become_one_keyed_hash_per_customer(tmp_path, db_path):
    assert main(["voc", str(write_csv(tmp_path / "p.csv", planted_rows(), header=HEADER))]) == 0
    con = duckdb.connect(str(db_path), read_only=True)
    keys = [r[0] for r in con.execute("SELECT customer_key FROM voc ORDER BY voc_id").fetchall()]
    con.close()
    assert keys[0] == keys[1] and len(keys[0]) == 32  # same person (phone with/without hyphens) → same key


def test_vectorised_helpers_match_the_per_value_ones():
    import pandas as pd

    from ccm.privacy import hash_series, keyed_hash, mask_series, mask_text

    key = bytes(range(32))
    values = ["010-1234-5678", "01012345678", " 홍길동 ", "A.B(C)\u3000d", "nan", "None", "", None, "x\xa0y",
              "MiXeD@Mail.COM", 12345]
    hashed = hash_series(pd.Series(values, dtype=object), key)
    assert [None if pd.isna(h) else h for h in hashed] == [keyed_hash(None if v is None else str(v), key)
                                                           for v in values]
    texts = ["2024년 주차 010-1234-5678", "메일 a@b.co.kr", "900101-1234567", "1588 1234", "그냥 문의", None]
    masked = mask_series(pd.Series(texts))
    assert [None if pd.isna(m) else m for m in masked] == [mask_text(t) for t in texts]
