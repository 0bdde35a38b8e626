"""The upload page's VOC tab, run for real with AppTest (file_uploader included)."""

import duckdb

from tests.support.voc_files import row, write_csv

PAGE = "pages/upload.py"


def upload(at, path):
    uploader = next(u for u in at.file_uploader if u.key == "voc_up_file")
    uploader.set_value((path.name, path.read_bytes(), "text/csv"))
    return at.run()


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(map(str, parts))


def test_no_file_shows_what_to_do(app_test):
    at = app_test(PAGE).run()
    assert not at.exception
    assert "처음 몇 행과 인식한 열 매핑" in texts(at)


def test_upload_preview_mapping_load_and_rejects(app_test, tmp_path, db_path):
    path = write_csv(
        tmp_path / "export.csv",
        [row("U1"), row("U2", voc_type="모름")],
        encoding="cp949",
        titles=["VOC 현황"],
    )
    at = upload(app_test(PAGE).run(), path)
    assert not at.exception
    shown = texts(at)
    assert "인코딩 cp949, 머리글 2행, 데이터 2행" in shown
    mapping = at.dataframe[1].value
    assert ("접수일시", "접수일시") in set(zip(mapping["원본 열"], mapping["적재 방식"]))
    metrics = {m.label: m.value for m in at.metric}
    assert [metrics[k] for k in ("읽은 행", "적재할 VOC", "같은 번호 병합", "오류 행", "처리일시 없음")] == [
        "2",
        "1",
        "0",
        "1",
        "0",
    ]
    at.button(key="voc_up_load").click().run()
    assert not at.exception
    assert "적재했습니다 (배치 1번)" in texts(at)
    assert {m.label: m.value for m in at.metric}["추가"] == "1"
    rejects = at.dataframe[-1].value
    assert rejects["행"].tolist() == [4] and "알 수 없는 유형" in rejects["사유"][0]
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT voc_id, loaded_by FROM voc JOIN load_batches USING (batch_id)").fetchall() == [
        ("U1", "test-관리자")
    ]
    con.close()


def test_identity_columns_are_hidden_in_the_preview(app_test, tmp_path):
    header = ["접수번호", "접수일시", "유형", "연락처", "내용"]
    path = write_csv(
        tmp_path / "p.csv",
        [["U1", "2025-03-04 10:00", "문의", "010-1111-2222", "메일 a@b.com"]],
        header=header,
    )
    at = upload(app_test(PAGE).run(), path)
    preview = at.dataframe[0].value
    assert preview["연락처"].tolist() == ["(개인정보)"]
    assert preview["내용"].tolist() == ["메일 [이메일]"]


def test_unusable_file_shows_a_korean_error_and_no_load_button(app_test, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"]], header=["이름", "메모"])
    at = upload(app_test(PAGE).run(), path)
    assert not at.exception
    assert "이 파일은 적재할 수 없습니다" in texts(at) and "필수 열" in texts(at)
    assert not [b for b in at.button if b.key == "voc_up_load"]
