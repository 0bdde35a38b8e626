"""Write the realistic-export test corpus (issue 11) deterministically: `python tests/corpus/make_corpus.py`.

Each file imitates how a real system writes it (encoding, separators, header rows, date forms); the expected
outcome of loading each one is in expected.csv (computed by hand from the patterns below), the personal data
planted in them in planted.csv. Row patterns are index sets, so every count can be read off this script.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
PLANTED: list[tuple[str, str, str]] = []  # (file, kind, value)

# facility, canonical type, title, content
ITEMS = [
    ("단산모노레일", "불만", "모노레일 대기시간이 너무 깁니다", "주말 오전에 예약했는데도 1시간 넘게 기다렸습니다. 대기 안내 방송도 없었습니다."),
    ("단산모노레일", "문의", "모노레일 단체 예약 문의", "20명 단체 예약이 되는지, 경로 할인 요금이 있는지 알려주세요."),
    ("철로자전거", "불만", "레일바이크 페달 고장", "3번 차량 페달이 헛돌아서 끝까지 밀고 갔습니다. 출발 전 점검 부탁드립니다."),
    ("철로자전거", "칭찬", "안전요원분께 감사드립니다", "아이가 넘어졌을 때 안전요원분이 바로 달려와 주셔서 정말 감사했습니다."),
    ("관광사격장", "문의", "사격장 이용 나이 제한", "초등학생도 공기권총 체험이 가능한가요? 보호자 동반 조건이 궁금합니다."),
    ("관광사격장", "불만", "사격장 소음이 심합니다", "귀마개를 줬지만 대기실까지 소리가 커서 아이가 많이 놀랐습니다."),
    ("어드벤처파크", "건의", "대기 줄 그늘막 설치 건의", "여름에 대기 줄에 그늘이 하나도 없어 너무 덥습니다. 그늘막을 설치해 주세요."),
    ("문경새재미로공원", "불만", "미로공원 화장실 청결 불량", "화장실에 휴지가 없고 바닥이 젖어 있었습니다. 관리가 전혀 안 됩니다."),
    ("국민여가캠핑장", "불만", "옆 사이트 심야 소음", "밤 11시가 넘어서도 옆 사이트에서 음악을 크게 틀었는데 관리인이 없었습니다."),
    ("국민여가캠핑장", "유실물신고", "캠핑장에 두고 온 랜턴", "A-12 사이트에 LED 랜턴을 두고 왔습니다. 보관 중인지 확인 부탁드립니다."),
    ("불정자연휴양림", "건의", "산책로 갈림길 안내판", "산책로 갈림길에 안내판이 없어 길을 잃을 뻔했습니다. 표지판을 늘려 주세요."),
    ("불정자연휴양림", "고충", "태풍 예약 취소 수수료 환불", "태풍 특보로 입실이 불가능했는데 취소 수수료를 물었습니다. 환불을 요청합니다."),
    ("농특산물직판장", "불만", "사과 선물세트 품질 불량", "직판장에서 산 사과 선물세트에 멍든 사과가 절반이었습니다. 교환 바랍니다."),
    ("농특산물직판장", "문의", "오미자청 택배 가능 여부", "오미자청을 택배로 받을 수 있는지, 배송비는 얼마인지 궁금합니다."),
    ("문경사랑새재장터", "불만", "장터 주차 안내 부족", "주차장 안내요원이 없어 30분을 헤맸습니다. 임시 주차장 표지도 없었습니다."),
    ("단산모노레일", "긴급요청", "모노레일 운행 중 정지", "운행 중 10분 동안 멈춰 있었습니다. 아이가 무서워합니다. 바로 확인해 주세요."),
]
ANSWERS = [
    "불편을 드려 죄송합니다. 해당 설비를 점검하고 재발하지 않도록 조치하였습니다.",
    "문의하신 내용을 안내해 드렸습니다. 이용해 주셔서 감사합니다.",
    "소중한 의견 감사합니다. 담당 직원에게 전달하고 서비스 개선에 반영하겠습니다.",
    "현장 확인 결과 말씀하신 내용이 맞아 관리 인력을 보강하였습니다.",
]
DEPARTMENT = {"단산모노레일": "단산시설팀", "철로자전거": "관광사업팀", "관광사격장": "관광사업팀", "어드벤처파크": "단산시설팀",
              "문경새재미로공원": "문화사업팀", "국민여가캠핑장": "관광사업팀", "불정자연휴양림": "문화사업팀",
              "농특산물직판장": "농특산물홍보팀", "문경사랑새재장터": "농특산물홍보팀"}
NAMES = ["김민수", "이서연", "박지훈", "최유나", "정하준", "강지민", "조은서", "윤도현", "장수빈", "임현우", "한예린", "오승민"]
TIMES = ["14:22", "09:12", "10:40", "13:25", "15:05", "16:48", "11:30", "19:45", "08:30", "17:20"]
HOURS = [3, 22, 5, 27, 48, 2, 30, 6, 50, 4]
CHANNELS = ["홈페이지", "전화", "방문", "국민신문고", "고객의 소리", "인스타그램"]
TYPE_WORDS = {"불만": "불편사항", "문의": "질의", "칭찬": "칭찬", "건의": "제안", "유실물신고": "분실물", "긴급요청": "긴급",
              "고충": "고충민원"}


def item(i: int, shift: int = 0) -> tuple[str, str, str, str]:
    return ITEMS[(i * 5 + shift) % len(ITEMS)]


def received(start: str, i: int) -> dt.datetime:
    hh, mm = TIMES[i % len(TIMES)].split(":")
    return dt.datetime.fromisoformat(start) + dt.timedelta(days=i, hours=int(hh), minutes=int(mm))


def completed(start: str, i: int) -> dt.datetime:
    return received(start, i) + dt.timedelta(hours=HOURS[i % len(HOURS)])


def phone(file_no: int, i: int) -> str:
    return f"010-{3000 + file_no * 41 + i:04d}-{(1234 + i * 1117) % 10000:04d}"


def plant(file: str, kind: str, value: str) -> str:
    PLANTED.append((file, kind, value))
    return value


def write_csv(name: str, header: list[str], rows: list[list[object]], encoding: str, sep: str = ",",
              newline: str = "\r\n", preamble: list[str] = ()) -> None:
    buf = io.StringIO()
    for line in preamble:
        buf.write(line + newline)
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).parent.mkdir(parents=True, exist_ok=True)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def fix_zip(path: Path) -> None:
    """openpyxl stamps the save time into docProps and the zip entries: pin both so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-02T09:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2025, 1, 2, 9, 0, 0)), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def save_xlsx(wb: openpyxl.Workbook, name: str) -> None:
    wb.properties.creator = "VOC"
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 2, 9, 0, 0)
    path = HERE / name
    wb.save(path)
    fix_zip(path)


def sheet(title: str) -> tuple[openpyxl.Workbook, object]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws


# ---------------------------------------------------------------------------------------------------- VOC exports
def f01a_compound_cp949() -> None:
    """Corporate VOC system: 접수 등록일시 + date-only 답변완료일자; 16 처리완료, 3 처리중 {4,9,14}, 1 접수 {19}."""
    name, start = "01a_compound_headers.csv", "2024-03-05"
    header = ["민원접수번호", "접수 등록일시", "접수경로", "고객요구유형", "관련시설", "처리담당부서", "처리상태", "답변완료일자",
              "민원제목", "민원내용", "답변내용", "민원인", "연락처"]
    rows = []
    for i in range(20):
        fac, typ, title, content = item(i)
        who = NAMES[i % len(NAMES)]
        status = "처리중" if i in (4, 9, 14) else "접수" if i == 19 else "처리완료"
        done = (received(start, i).date() + dt.timedelta(days=1 + i % 3)).isoformat() if status == "처리완료" else ""
        if i == 2:
            content += f" 연락은 {plant(name, 'phone', phone(1, i))} 로 주세요. {plant(name, 'name', who)} 올림"
        if i == 6:
            content += f" 답변은 {plant(name, 'email', 'minsu.kim77@naver.com')} 으로 부탁드립니다."
        rows.append([f"VOC-2024-{101 + i:04d}", received(start, i).strftime("%Y-%m-%d %H:%M"), CHANNELS[i % 4],
                     TYPE_WORDS[typ], fac, DEPARTMENT[fac], status, done, title, content,
                     ANSWERS[i % 4] if done else "", plant(name, "name", who), plant(name, "phone", phone(1, 100 + i))])
    write_csv(name, header, rows, "cp949")


def f01b_compound_bom() -> None:
    """Another system: 신청 일시 / 처리 종결 일시; 9 종결, 2 진행중 {3,8}, 1 접수완료 {11}."""
    name, start = "01b_compound_headers.csv", "2024-05-07"
    header = ["VOC번호", "신청 일시", "요구 유형", "접수 채널", "시설명", "소관부서", "진행 상태", "처리 종결 일시", "제목", "내용"]
    rows = []
    for i in range(12):
        fac, typ, title, content = item(i, 3)
        status = "진행중" if i in (3, 8) else "접수완료" if i == 11 else "종결"
        done = completed(start, i).strftime("%Y-%m-%d %H:%M:%S") if status == "종결" else ""
        rows.append([f"V24{1000 + i * 7}", received(start, i).strftime("%Y-%m-%d %H:%M:%S"), TYPE_WORDS[typ],
                     CHANNELS[i % 6], fac, DEPARTMENT[fac], status, done, title, content])
    write_csv(name, header, rows, "utf-8-sig")


def f01c_compound_split() -> None:
    """최종처리일 + 최종처리시간 (separate) and a 처리기한 column that is not a completion; 7 처리완료, 3 처리중 {2,5,8}."""
    name, start = "01c_compound_split.csv", "2024-10-14"
    header = ["관리번호", "등록일시", "처리기한", "민원구분", "처리부서", "처리현황", "최종처리일", "최종처리시간", "제목", "민원요지"]
    rows = []
    for i in range(10):
        fac, typ, title, content = item(i, 7)
        status = "처리중" if i in (2, 5, 8) else "처리완료"
        end = completed(start, i)
        due = (received(start, i) + dt.timedelta(days=3)).strftime("%Y-%m-%d 18:00")
        rows.append([f"MG-24-{3001 + i}", received(start, i).strftime("%Y-%m-%d %H:%M"), due, TYPE_WORDS[typ],
                     DEPARTMENT[fac], status, end.strftime("%Y-%m-%d") if status == "처리완료" else "",
                     end.strftime("%H:%M") if status == "처리완료" else "", title, content])
    write_csv(name, header, rows, "cp949")


NYC_TYPES = [  # complaint type, descriptor, agency, agency name, location type
    ("Noise - Residential", "Loud Music/Party", "NYPD", "New York City Police Department", "Residential Building/House"),
    ("Illegal Parking", "Blocked Hydrant", "NYPD", "New York City Police Department", "Street/Sidewalk"),
    ("Blocked Driveway", "No Access", "NYPD", "New York City Police Department", "Street/Sidewalk"),
    ("HEAT/HOT WATER", "ENTIRE BUILDING", "HPD", "Department of Housing Preservation and Development", "RESIDENTIAL BUILDING"),
    ("Noise - Street/Sidewalk", "Loud Talking", "NYPD", "New York City Police Department", "Street/Sidewalk"),
    ("Street Condition", "Pothole", "DOT", "Department of Transportation", ""),
    ("Lost Property", "Cell Phone", "TLC", "Taxi and Limousine Commission", "Taxi"),
    ("Water System", "Hydrant Running (WC3)", "DEP", "Department of Environmental Protection", ""),
]
NYC_DAYS = [26, 5, 3, 14, 28, 9, 17, 1, 22, 11, 30, 7, 19, 13, 24, 12, 15, 6, 27, 10, 21, 4, 29, 8]
NYC_TIME = [(10, 58, 54), (14, 14, 7), (0, 0, 0), (23, 41, 2), (8, 5, 33), (12, 30, 0), (19, 2, 48), (6, 47, 15)]


def nyc_row(i: int) -> list[object]:
    typ, desc, agency, agency_name, loc = NYC_TYPES[i % len(NYC_TYPES)]
    h, m, s = NYC_TIME[i % len(NYC_TIME)]
    created = dt.datetime(2018, 6, NYC_DAYS[i], h, m, s)
    status = "Open" if i in (6, 14, 20) else "In Progress" if i in (9, 17) else "Assigned" if i == 22 else "Closed"
    closed = created + dt.timedelta(hours=HOURS[i % len(HOURS)], minutes=17) if status == "Closed" and i != 11 else None
    fmt = "%m/%d/%Y %I:%M:%S %p"
    resolution = ("The Police Department responded to the complaint and, with the information available, observed no "
                  "evidence of the violation at that time." if closed else
                  "The complaint has been assigned to the responsible agency, and an inspection will be scheduled.")
    updated = (closed or created + dt.timedelta(hours=1)).strftime(fmt)
    zipc = 10025 + (i * 37) % 400
    return [39461000 + i * 1379, created.strftime(fmt), closed.strftime(fmt) if closed else "", agency, agency_name, typ,
            desc, loc, zipc, f"{100 + i * 13} WEST {140 + i} STREET", "NEW YORK", status, resolution, updated,
            "12 MANHATTAN", "MANHATTAN", ["PHONE", "ONLINE", "MOBILE", "UNKNOWN"][i % 4]]


def f02_nyc311() -> None:
    """US 311 export (Socrata CSV, UTF-8, LF): 18 Closed (one, i=11, without Closed Date), 3 Open, 2 In Progress, 1 Assigned."""
    header = ["Unique Key", "Created Date", "Closed Date", "Agency", "Agency Name", "Complaint Type", "Descriptor",
              "Location Type", "Incident Zip", "Incident Address", "City", "Status", "Resolution Description",
              "Resolution Action Updated Date", "Community Board", "Borough", "Open Data Channel Type"]
    write_csv("02_nyc311.csv", header, [nyc_row(i) for i in range(24)], "utf-8", newline="\n")


def f03_dayfirst_xlsx() -> None:
    """en-GB booking system, dates as text `26/06/2024 14:22`; 12 완료, 3 처리중 {4,9,13}."""
    name, start = "03_dayfirst.xlsx", "2024-06-26"
    wb, ws = sheet("Export")
    ws.append(["접수번호", "접수일시", "고객요구유형", "접수채널", "시설", "처리상태", "처리일시", "제목", "내용"])
    for i in range(15):
        fac, typ, title, content = item(i, 1)
        open_ = i in (4, 9, 13)
        ws.append([f"BK{2406001 + i * 3}", received(start, i).strftime("%d/%m/%Y %H:%M"), typ, CHANNELS[i % 3], fac,
                   "처리중" if open_ else "완료", "" if open_ else completed(start, i).strftime("%d/%m/%Y %H:%M"), title,
                   content])
    save_xlsx(wb, name)


def iso(t: dt.datetime, i: int) -> str:
    if i % 2:
        return t.strftime("%Y-%m-%dT%H:%M:%S+09:00")
    utc = t - dt.timedelta(hours=9)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.000Z") if i % 4 == 2 else utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def f04_iso_csv() -> None:
    """Web system API dump saved as CSV: ISO `...Z` (UTC) and `+09:00`; 9 완료, 3 open {3,7,10}."""
    name, start = "04_iso_json.csv", "2024-03-05"
    header = ["접수번호", "접수일시", "처리일시", "민원유형", "접수채널", "처리상태", "제목", "내용"]
    rows = []
    for i in range(12):
        fac, typ, title, content = item(i, 2)
        t = received(start, i) + dt.timedelta(seconds=10)
        open_ = i in (3, 7, 10)
        rows.append([f"voc_{88120 + i}", iso(t, i), "" if open_ else iso(completed(start, i), i), typ, "홈페이지",
                     "처리중" if i in (3, 7) else "접수" if i == 10 else "완료", title, content])
    write_csv(name, header, rows, "utf-8", newline="\n")


def f05_two_digit_year() -> None:
    """Old PC 접수대장 program: `24.03.05 14:22`; 10 완료, 2 처리중 {2,8}."""
    name, start = "05_two_digit_year.csv", "2024-03-05"
    header = ["접수번호", "접수일시", "민원유형", "시설", "처리부서", "처리상태", "처리일시", "제목", "접수내용"]
    rows = []
    for i in range(12):
        fac, typ, title, content = item(i, 4)
        open_ = i in (2, 8)
        rows.append([f"24-{i + 1:04d}", received(start, i).strftime("%y.%m.%d %H:%M"), TYPE_WORDS[typ], fac,
                     DEPARTMENT[fac], "처리중" if open_ else "완료",
                     "" if open_ else completed(start, i).strftime("%y.%m.%d %H:%M"), title, content])
    write_csv(name, header, rows, "cp949")


def f06_no_type() -> None:
    """Facility 불편신고 접수대장: no type, no status, no channel; 10 with 처리일자, 4 open {3,7,11,13}."""
    name, start = "06_no_type.csv", "2024-08-01"
    header = ["접수번호", "접수일자", "접수시간", "접수자", "민원인", "연락처", "시설", "민원내용", "처리내용", "처리일자"]
    staff = ["이지원", "박현정", "최동욱"]
    rows = []
    for i in range(14):
        fac, _, title, content = item(i, 5)
        who = NAMES[(i + 3) % len(NAMES)]
        open_ = i in (3, 7, 11, 13)
        t = received(start, i)
        if i == 5:
            content += f" 휴대폰 {plant(name, 'phone', phone(6, i).replace('-', ''))} 으로 문자 주세요."
        rows.append([f"2024-불편-{i + 1:03d}", t.strftime("%Y-%m-%d"), t.strftime("%H:%M"), staff[i % 3],
                     plant(name, "name", who), plant(name, "phone", phone(6, 100 + i)), fac, f"{title}. {content}",
                     "" if open_ else ANSWERS[i % 4],
                     "" if open_ else (t.date() + dt.timedelta(days=1 + i % 2)).isoformat()])
    write_csv(name, header, rows, "cp949")


def f07a_status_only() -> None:
    """국민신문고-style list: status only, no completion column; 13 답변완료, 2 처리중 {5,12}, 1 접수 {15}."""
    name, start = "07a_status_only.xlsx", "2024-04-01"
    wb, ws = sheet("민원목록")
    ws.append(["민원번호", "신청일시", "민원유형", "민원제목", "처리기관", "처리상태"])
    kinds = {"불만": "불편", "문의": "질의", "건의": "제안", "고충": "고충민원"}
    for i in range(16):
        fac, typ, title, _ = item(i, 6)
        status = "처리중" if i in (5, 12) else "접수" if i == 15 else "답변완료"
        ws.append([f"2AA-2404-{123450 + i * 17:07d}", received(start, i).strftime("%Y-%m-%d %H:%M:%S"),
                   kinds.get(typ, "불편"), title, "문경관광진흥공단", status])
    save_xlsx(wb, name)


def f07b_blank_completion() -> None:
    """Has 처리일시, but 3 완료 rows leave it blank {2,7,13}; 10 완료 with time; 2 처리중 {4,10}."""
    name, start = "07b_blank_completion.csv", "2025-02-03"
    header = ["접수번호", "접수일시", "유형", "채널", "시설", "처리부서", "처리상태", "처리일시", "제목"]
    rows = []
    for i in range(15):
        fac, typ, title, _ = item(i, 8)
        open_ = i in (4, 10)
        blank = open_ or i in (2, 7, 13)
        rows.append([f"R-2025-{500 + i}", received(start, i).strftime("%Y-%m-%d %H:%M"), typ, CHANNELS[i % 6], fac,
                     DEPARTMENT[fac], "처리중" if open_ else "완료", "" if blank else completed(start, i).strftime(
                         "%Y-%m-%d %H:%M"), title])
    write_csv(name, header, rows, "utf-8-sig")


DISTRICT = [  # type word, title, department
    ("고충민원", "아파트 앞 불법 주정차 단속 요청", "교통행정과"),
    ("질의", "쓰레기 종량제 봉투 판매처 문의", "환경위생과"),
    ("제안", "버스정류장 온열의자 설치 제안", "교통행정과"),
    ("불편", "보도블록 파손으로 넘어질 뻔했습니다", "건설과"),
    ("고충민원", "야간 공사 소음으로 잠을 못 잡니다", "건축허가과"),
    ("질의", "여권 발급 소요 기간 문의", "민원봉사과"),
    ("불편", "가로등이 일주일째 꺼져 있습니다", "건설과"),
]


def td(value: str) -> str:
    return f"<td>{value if value else '&nbsp;'}</td>"


def f08_html_xls() -> None:
    """District 새올-style export: an HTML table saved as .xls, EUC-KR; 10 처리완료, 3 처리중 {3,9,12}, 1 접수 {13}."""
    name, start = "08_saeol_html.xls", "2024-05-13"
    header = ["순번", "접수번호", "접수일시", "민원유형", "민원제목", "신청인", "연락처", "처리부서", "처리기한", "처리일시", "처리상태"]
    lines = ['<html xmlns:x="urn:schemas-microsoft-com:office:excel">', "<head>",
             '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">',
             "<style>td { mso-number-format:\"\\@\"; font-size:9pt; }</style>", "</head>", "<body>",
             '<table border="1" cellspacing="0">',
             f'<tr><td colspan="{len(header)}" align="center"><b>민원처리 현황 (2024.05.13 ~ 2024.05.26)</b></td></tr>',
             "<tr>" + "".join(f'<td bgcolor="#D9D9D9" align="center">{h}</td>' for h in header) + "</tr>"]
    for i in range(14):
        kind, title, dept = DISTRICT[i % len(DISTRICT)]
        who = NAMES[(i + 5) % len(NAMES)]
        status = "처리중" if i in (3, 9, 12) else "접수" if i == 13 else "처리완료"
        t = received(start, i) + dt.timedelta(seconds=33)
        if i == 4:
            title += f" (회신 {plant(name, 'phone', phone(8, i))})"
        done = completed(start, i).strftime("%Y-%m-%d %H:%M:%S") if status == "처리완료" else ""
        cells = [str(i + 1), f"1AA-2405-{12345 + i * 29:07d}", t.strftime("%Y-%m-%d %H:%M:%S"), kind, title,
                 plant(name, "name", who), plant(name, "phone", phone(8, 100 + i)), dept,
                 (t + dt.timedelta(days=7)).strftime("%Y-%m-%d"), done, status]
        lines.append("<tr>" + "".join(td(c) for c in cells) + "</tr>")
    lines += ["</table>", "</body>", "</html>"]
    (HERE / name).write_bytes("\r\n".join(lines).encode("euc-kr"))


def f09_two_row_header() -> None:
    """County complaint workbook: merged group row 접수정보/처리정보 above the header, date and time cells apart;
    14 완료, 3 처리중 {6,11,16}, 1 접수 {17}."""
    name, start = "09_two_row_header.xlsx", "2024-07-01"
    wb, ws = sheet("민원대장")
    ws.append(["접수정보", None, None, None, None, None, "처리정보", None, None, None, None])
    ws.append(["접수번호", "접수일", "접수시간", "유형", "경로", "제목", "담당부서", "처리일", "처리시간", "진행상태", "분류"])
    ws.merge_cells("A1:F1")
    ws.merge_cells("G1:J1")
    for cell in ("A1", "G1"):
        ws[cell].font = Font(bold=True)
        ws[cell].alignment = Alignment(horizontal="center")
    labels = ["시설고장", "소음", "청결", "안내", "요금"]
    for i in range(18):
        fac, typ, title, _ = item(i, 9)
        t, end = received(start, i), completed(start, i)
        status = "처리중" if i in (6, 11, 16) else "접수" if i == 17 else "완료"
        done = status == "완료"
        ws.append([f"G24-{701 + i}", t.date(), t.time(), typ, CHANNELS[i % 3], title, DEPARTMENT[fac],
                   end.date() if done else None, end.time() if done else None, status, labels[i % 5]])
        r = ws.max_row
        ws.cell(r, 2).number_format = ws.cell(r, 8).number_format = "yyyy-mm-dd"
        ws.cell(r, 3).number_format = ws.cell(r, 9).number_format = "hh:mm"
    save_xlsx(wb, name)


def f10_totals() -> None:
    """Printed-report export: running 번호 1..30 + 접수번호, a repeated header after data rows 12 and 24 (page breaks),
    a 소계 row after each month (10 rows each), a 합계 row; 27 완료, 3 처리중 {9,19,29}."""
    name = "10_totals_pagebreaks.csv"
    header = ["번호", "접수번호", "접수일시", "유형", "채널", "시설", "처리부서", "처리상태", "처리일시", "제목"]
    rows: list[list[object]] = []
    for i in range(30):
        month, day = 1 + i // 10, 6 + i % 10
        start = f"2025-{month:02d}-{day:02d}"
        fac, typ, title, _ = item(i, 10)
        open_ = i in (9, 19, 29)
        t = received(start, 0) + dt.timedelta(minutes=7 * i)
        end = t + dt.timedelta(hours=HOURS[i % 10])
        rows.append([i + 1, f"VOC-2025-{i * 3 + 11:04d}", t.strftime("%Y-%m-%d %H:%M"), TYPE_WORDS[typ], CHANNELS[i % 4],
                     fac, DEPARTMENT[fac], "처리중" if open_ else "완료", "" if open_ else end.strftime("%Y-%m-%d %H:%M"),
                     title])
        if i in (11, 23):
            rows.append(list(header))
        if i % 10 == 9:
            rows.append(["소계", f"{month}월 10건", "", "", "", "", "", "완료 9", "", ""])
    rows.append(["합계", "30건", "", "", "", "", "", "완료 27", "", ""])
    write_csv(name, header, rows, "cp949", preamble=["고객의 소리 처리대장 (2025년 1분기)", ""])


def f11_shifted() -> None:
    """Export where rows {5,11,16} slid left: title text in 시설, content (with a phone number) in 처리부서;
    18 완료, 2 처리중 {3,15}."""
    name, start = "11_shifted_columns.xlsx", "2024-09-02"
    wb, ws = sheet("VOC")
    ws.append(["접수번호", "접수일시", "유형", "채널", "시설", "처리부서", "제목", "내용", "처리상태", "처리일시"])
    for i in range(20):
        fac, typ, title, content = item(i, 11)
        open_ = i in (3, 15)
        row = [f"V-{20240900 + i}", received(start, i).strftime("%Y-%m-%d %H:%M"), typ, CHANNELS[i % 6], fac,
               DEPARTMENT[fac], title, content, "처리중" if open_ else "완료",
               "" if open_ else completed(start, i).strftime("%Y-%m-%d %H:%M")]
        if i in (5, 11, 16):
            row[4:8] = [title, f"{content} 급하니 {plant(name, 'phone', phone(11, i))} 로 연락 바랍니다.", "", ""]
        ws.append(row)
    save_xlsx(wb, name)


COMMA_TITLES = ["주차장, 화장실 모두 불편합니다", "요금, 할인 기준 문의", "직원분 \"최고\"입니다, 감사합니다", "매표소, 대기실 냉방 건의"]


def comma_rows(prefix: str, start: str, n: int, open_rows: tuple[int, ...], shift: int) -> list[list[object]]:
    rows = []
    for i in range(n):
        fac, typ, _, content = item(i, shift)
        open_ = i in open_rows
        rows.append([f"{prefix}{i + 1:03d}", received(start, i).strftime("%Y-%m-%d %H:%M"), typ, fac,
                     "처리중" if open_ else "완료", "" if open_ else completed(start, i).strftime("%Y-%m-%d %H:%M"),
                     COMMA_TITLES[i % 4], content.replace(". ", ", 그리고 ", 1)])
    return rows


TEXT_HEADER = ["접수번호", "접수일시", "유형", "시설", "처리상태", "처리일시", "제목", "내용"]


def write_tab_text(name: str, rows: list[list[object]], encoding: str) -> None:
    lines = ["\t".join(TEXT_HEADER)] + ["\t".join(str(v) for v in r) for r in rows]
    (HERE / name).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def f12_separated() -> None:
    """Tab-separated CP949 text (14 rows, 처리중 {6}); semicolon CSV UTF-8 BOM (12 rows, 처리중 {3,8}); Excel 'Unicode text'
    (UTF-16 LE TSV, 10 rows, 처리중 {4}). Commas inside values everywhere, a quote mid-field in the text files."""
    write_tab_text("12a_tab_commas.txt", comma_rows("T-", "2024-11-04", 14, (6,), 12), "cp949")
    write_csv("12b_semicolon.csv", TEXT_HEADER, comma_rows("S", "2024-11-18", 12, (3, 8), 13), "utf-8-sig", sep=";")
    write_tab_text("12c_unicode_text.txt", comma_rows("U-", "2024-12-02", 10, (4,), 14), "utf-16")


def f13_running_no() -> None:
    """`No` 1..12 in the first column and the real 접수번호 beside it; 10 완료, 2 처리중 {1,7}."""
    name, start = "13_running_no.csv", "2024-04-15"
    header = ["No", "접수번호", "접수일시", "유형", "채널", "시설", "처리상태", "처리일시", "제목", "내용"]
    rows = []
    for i in range(12):
        fac, typ, title, content = item(i, 14)
        open_ = i in (1, 7)
        rows.append([i + 1, f"C2024-{871 + i * 13:05d}", received(start, i).strftime("%Y-%m-%d %H:%M"), typ,
                     CHANNELS[i % 6], fac, "처리중" if open_ else "완료",
                     "" if open_ else completed(start, i).strftime("%Y-%m-%d %H:%M"), title, content])
    write_csv(name, header, rows, "utf-8-sig")


def f14_same_stem() -> None:
    """Two monthly exports named voc.csv in a/ and b/; 8 rows each, one completion-before-receipt row each (a: 5, b: 2)."""
    header = ["접수번호", "접수일시", "유형", "채널", "시설", "처리상태", "처리일시", "제목"]
    for folder, start, bad in (("a", "2025-01-06", 5), ("b", "2025-02-03", 2)):
        rows = []
        for i in range(8):
            fac, typ, title, _ = item(i, 15)
            end = received(start, i) - dt.timedelta(days=1) if i == bad else completed(start, i)
            rows.append([f"MJ-{start[2:4]}{start[5:7]}-{i + 1:03d}", received(start, i).strftime("%Y-%m-%d %H:%M"),
                         TYPE_WORDS[typ], CHANNELS[i % 4], fac, "완료", end.strftime("%Y-%m-%d %H:%M"), title])
        write_csv(f"14_same_stem/{folder}/voc.csv", header, rows, "cp949")


def f15_old_xls() -> None:
    """Corporate VOC export as BIFF .xls with a merged title and a period row above the header; Excel date cells.
    22 rows: row 17 repeats row 8's 접수번호 (8 처리중 → 17 완료), row 4 completes before receipt, row 12 has type 기타;
    처리중 {6,19} (and 8)."""
    name, start = "15_corporate_old.xls", "2023-07-03"
    header = ["번호", "접수번호", "접수일시", "접수채널", "고객요구유형", "시설", "처리부서", "처리상태", "처리일시", "제목", "내용",
              "처리내용", "고객명", "휴대폰"]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("VOC처리현황")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    ws.write_merge(0, 0, 0, len(header) - 1, "고객의 소리(VOC) 처리현황", xlwt.easyxf("font: bold on, height 280"))
    ws.write(1, 0, "조회기간: 2023-07-01 ~ 2023-12-31    출력부서: 혁신안전팀")
    for c, h in enumerate(header):
        ws.write(3, c, h, xlwt.easyxf("font: bold on; pattern: pattern solid, fore_colour gray25"))
    for i in range(22):
        src = 8 if i == 17 else i
        fac, typ, title, content = item(src, 0)
        t = received(start, src * 3)
        who = NAMES[src % len(NAMES)]
        open_ = i in (6, 8, 19)
        end = t - dt.timedelta(hours=20) if i == 4 else t + dt.timedelta(hours=HOURS[i % 10] + 24)
        if src == 2:
            content += f" - {plant(name, 'name', who)} 드림"
        if i == 10:
            content += f" 결과는 {plant(name, 'email', 'hong.gd1234@daum.net')} 로 보내 주세요."
        values = [i + 1, f"2023-VOC-{src + 201:04d}", t, CHANNELS[i % 6], "기타" if i == 12 else TYPE_WORDS[typ], fac,
                  DEPARTMENT[fac], "처리중" if open_ else "처리완료", None if open_ else end, title, content,
                  "" if open_ else ANSWERS[i % 4], plant(name, "name", who), plant(name, "phone", phone(15, 100 + src))]
        for c, v in enumerate(values):
            if isinstance(v, dt.datetime):
                ws.write(4 + i, c, v, when)
            elif v is not None:
                ws.write(4 + i, c, v)
    wb.save(str(HERE / name))


# ---------------------------------------------------------------------------------------------------- surveys
FACILITIES = ["단산모노레일", "철로자전거", "국민여가캠핑장", "불정자연휴양림"]
SEX, AGE = ["남", "여"], ["20대", "30대", "40대", "50대", "60대 이상"]
AREAS5 = ["서비스환경", "서비스과정", "서비스결과", "사회적만족", "전반적만족"]


def spec_items(columns: list[str], areas: list[str], labels: list[str]) -> str:
    return "".join(f'\n[[items]]\ncolumn = "{c}"\narea = "{a}"\nlabel = "{lab}"\n' for c, a, lab in zip(columns, areas, labels))


def write_spec(name: str, head: str, columns: list[str], areas: list[str], labels: list[str]) -> None:
    (HERE / name).write_text(head.strip() + "\n" + spec_items(columns, areas, labels), encoding="utf-8")


def f16_survey_4pt() -> None:
    """Facility survey on a 4-point scale where 1 = 매우 만족 (README: direction = "low_good"); answer (r+q)%4+1 (each value 30× over 12×10),
    9 (무응답) at (0,9), (5,2), (10,4) replacing a 2, a 4 and a 3; then a 평균 row and a 합계 row."""
    name = "16_survey_4pt_reversed.xlsx"
    items = [f"Q{q + 1}" for q in range(10)]
    wb, ws = sheet("원자료")
    ws.append(["응답자ID", "조사일자", "이용시설", "고객유형", *items, "기타의견", "성별", "연령대"])
    grid = [[(r + q) % 4 + 1 for q in range(10)] for r in range(12)]
    for r, q in ((0, 9), (5, 2), (10, 4)):
        grid[r][q] = 9
    comments = {3: f"직원이 친절했어요. 연락 주세요 {plant(name, 'phone', phone(16, 3))}",
                7: f"주차장이 좁아요, 답변은 {plant(name, 'email', 'yuna_park@gmail.com')} 으로"}
    for r in range(12):
        ws.append([f"R{2025001 + r}", dt.date(2025, 9, 1 + r), FACILITIES[r % 4], "일반" if r % 3 else "단체", *grid[r],
                   comments.get(r, ""), SEX[r % 2], AGE[r % 5]])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    valid = [[v for v in (grid[r][q] for r in range(12)) if v != 9] for q in range(10)]
    ws.append(["평균", None, None, None, *[round(sum(v) / len(v), 2) for v in valid]])
    ws.append(["합계", None, None, None, *[sum(v) for v in valid]])
    save_xlsx(wb, name)
    write_spec("16_survey_4pt_reversed.toml", """
# 시설 이용 만족도 (조사기관 원자료): 4점 척도, 1 = 매우 만족 … 4 = 매우 불만족, 9 = 무응답
survey = "시설이용만족도"
title = "시설 이용 만족도 조사"
year = 2025
scale = 4
direction = "low_good"   # 1이 가장 좋은 답(매우 만족)
missing_codes = [9]
overall_area = "전반적만족"
respondent_id_column = "응답자ID"
date_column = "조사일자"
facility_column = "이용시설"
customer_type_column = "고객유형"
comment_columns = ["기타의견"]
demographic_columns = ["성별", "연령대"]
""", items, [a for a in AREAS5 for _ in (0, 1)],
        ["시설이 깨끗하다", "안내가 쉽다", "직원이 친절하다", "대기가 짧다", "기대만큼 즐거웠다", "요금이 적정하다",
         "지역에 도움이 된다", "믿을 수 있다", "전반적으로 만족한다", "다시 이용하겠다"])


def f17a_pcsi_7pt() -> None:
    """PCSI raw data in the default layout (A1…E3, 7-point), CP949 CSV: 20 respondents, answer (2r+q)%7+1,
    98 at (2,4), (9,13) and 99 at (5,0), (14,7), (19,14) → 5 missing answers."""
    name = "17a_pcsi_7pt.csv"
    items = [f"{a}{n}" for a in "ABCDE" for n in (1, 2, 3)]
    grid = [[(2 * r + q) % 7 + 1 for q in range(15)] for r in range(20)]
    for (r, q), code in {(2, 4): 98, (9, 13): 98, (5, 0): 99, (14, 7): 99, (19, 14): 99}.items():
        grid[r][q] = code
    comments = {4: f"모노레일 대기 안내가 필요합니다. {plant(name, 'email', 'jhpark_88@hanmail.net')}",
                11: f"연락처 {plant(name, 'phone', phone(17, 11))} 로 결과 알려주세요"}
    rows = [[f"P24{r + 1:03d}", f"2024-10-{7 + r % 14:02d}", FACILITIES[r % 4], "관광객" if r % 2 else "지역주민", *grid[r],
             comments.get(r, ""), SEX[r % 2], AGE[r % 5], "문경시" if r % 3 else "경북 외", "처음" if r % 4 else "2회 이상"]
            for r in range(20)]
    write_csv(name, ["ID", "조사일", "이용시설", "고객유형", *items, "기타의견", "성별", "연령대", "거주지", "이용빈도"], rows, "cp949")


def f17b_survey_11pt() -> None:
    """0–10 survey, 15 respondents × 5 items, answer (3r+4q)%11 → eight 0s (q0: r0,11; q1: r6; q2: r1,12; q3: r7;
    q4: r2,13)."""
    name = "17b_survey_11pt.xlsx"
    items = [f"문{q + 1}" for q in range(5)]
    wb, ws = sheet("Sheet1")
    ws.append(["번호", "조사일", "이용시설", *items, "의견"])
    for r in range(15):
        ws.append([r + 1, dt.date(2025, 5, 12 + r % 5), FACILITIES[r % 4], *[(3 * r + 4 * q) % 11 for q in range(5)],
                   "" if r % 5 else "전반적으로 만족합니다"])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    save_xlsx(wb, name)
    write_spec("17b_survey_11pt.toml", """
# 0~10점(11점) 척도 만족도 조사
survey = "이용객만족도"
year = 2025
scale = 11
overall_area = "전반적만족"
respondent_id_column = "번호"
date_column = "조사일"
facility_column = "이용시설"
comment_columns = ["의견"]
""", items, AREAS5, ["시설 환경", "직원 응대", "이용 결과", "지역 기여", "전반적 만족"])


def f18_declared5_max4() -> None:
    """Spec says 5-point but the firm used 4 points: answer (r+2q)%4+1, never 5; 15 respondents × 5 items."""
    name = "18_declared5_max4.xlsx"
    items = [f"Q{q + 1}" for q in range(5)]
    wb, ws = sheet("data")
    ws.append(["ID", "조사일", "이용시설", *items])
    for r in range(15):
        ws.append([f"S{r + 1:02d}", dt.date(2025, 6, 2 + r % 4), FACILITIES[r % 4],
                   *[(r + 2 * q) % 4 + 1 for q in range(5)]])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    save_xlsx(wb, name)
    write_spec("18_declared5_max4.toml", """
# 5점 척도로 적었지만 실제 설문지는 4점이었던 경우
survey = "교육만족도"
year = 2025
scale = 5
overall_area = "전반적만족"
respondent_id_column = "ID"
date_column = "조사일"
facility_column = "이용시설"
""", items, AREAS5, ["교육 환경", "강사 전달력", "내용 유익성", "업무 도움", "전반적 만족"])


def f20_survey_10pt() -> None:
    """1–10 survey (UTF-8 CSV), 12 respondents × 5 items, answer (7r+3q)%10+1 (1 at r0,q0; 10 at r0,q3)."""
    name = "20_survey_10pt.csv"
    items = [f"문항{q + 1}" for q in range(5)]
    rows = [[f"T{r + 1:03d}", "2025-03-1" + str(r % 9), FACILITIES[r % 4], *[(7 * r + 3 * q) % 10 + 1 for q in range(5)]]
            for r in range(12)]
    write_csv(name, ["응답자", "조사일", "이용시설", *items], rows, "utf-8-sig")
    write_spec("20_survey_10pt.toml", """
# 1~10점 척도
survey = "10점만족도"
year = 2025
scale = 10
overall_area = "전반적만족"
respondent_id_column = "응답자"
date_column = "조사일"
facility_column = "이용시설"
""", items, AREAS5, ["환경", "과정", "결과", "사회적 가치", "전반적 만족"])


def f21_survey_3pt() -> None:
    """Phone courtesy monitoring, 3-point (1 미흡, 2 보통, 3 우수), 10 calls × 5 items, score (r+q)%3+1 → seventeen 2s."""
    name = "21_survey_3pt.xlsx"
    items = ["인사", "경청", "정확성", "신속성", "마무리"]
    wb, ws = sheet("모니터링")
    ws.append(["ID", "조사일", "부서", *items])
    for r in range(10):
        ws.append([f"M{r + 1:02d}", dt.date(2025, 4, 7 + r), FACILITIES[r % 4], *[(r + q) % 3 + 1 for q in range(5)]])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    save_xlsx(wb, name)
    write_spec("21_survey_3pt.toml", """
# 전화친절도 모니터링: 3점 척도 (1 미흡, 2 보통, 3 우수)
survey = "전화친절도"
year = 2025
scale = 3
overall_area = "전반적만족"
respondent_id_column = "ID"
date_column = "조사일"
facility_column = "부서"
""", items, ["응대태도", "응대태도", "업무처리", "업무처리", "전반적만족"], ["첫인사", "경청", "정확한 안내", "신속한 처리", "끝인사"])


# ---------------------------------------------------------------------------------------------------- mappings
def f19_wrong_target() -> None:
    """Export whose 유형 values need a mapping; 19 targets 소음불만 (not a type), 19b targets status 열림. 6 rows."""
    name, start = "19_wrong_target.csv", "2024-12-02"
    header = ["접수번호", "접수일시", "유형", "처리상태", "처리일시", "제목"]
    rows = []
    for i in range(6):
        _, _, title, _ = item(i, 16)
        open_ = i in (1, 4)
        rows.append([f"N-{i + 1:03d}", received(start, i).strftime("%Y-%m-%d %H:%M"), "소음" if i % 2 else "시설불편",
                     "진행" if open_ else "완료", "" if open_ else completed(start, i).strftime("%Y-%m-%d %H:%M"), title])
    write_csv(name, header, rows, "utf-8-sig")


MAPPINGS = {
    "02_nyc311.toml": """
# 311 민원 유형을 표준 유형으로 (영문 상태 Closed/Open/In Progress/Assigned 와 Lost Property 는 설정이 압니다)
[values.voc_type]
"Noise - Residential" = "불만"
"Illegal Parking" = "불만"
"Blocked Driveway" = "불만"
"HEAT/HOT WATER" = "불만"
"Noise - Street/Sidewalk" = "불만"
"Street Condition" = "불만"
"Water System" = "불만"
""",
    "06_no_type.toml": """
# 유형 열이 없는 불편신고 대장: 모든 행이 불만
[defaults]
voc_type = "불만"
""",
    "19_wrong_target.toml": """
[values.voc_type]
"시설불편" = "불만"
"소음" = "소음불만"
""",
    "19b_wrong_status.toml": """
[values.voc_type]
"시설불편" = "불만"
"소음" = "불만"

[values.status]
"진행" = "열림"
""",
    "22_bad_structure.toml": """
# 잘못된 구조: [columns] 표가 아니라 목록
columns = ["접수번호", "접수일시"]
""",
}


def write_mappings() -> None:
    for name, text in MAPPINGS.items():
        (HERE / name).write_text(text.lstrip(), encoding="utf-8")


BUILDERS: list[Callable[[], None]] = [
    f01a_compound_cp949, f01b_compound_bom, f01c_compound_split, f02_nyc311, f03_dayfirst_xlsx, f04_iso_csv,
    f05_two_digit_year, f06_no_type, f07a_status_only, f07b_blank_completion, f08_html_xls, f09_two_row_header,
    f10_totals, f11_shifted, f12_separated, f13_running_no, f14_same_stem, f15_old_xls, f16_survey_4pt,
    f17a_pcsi_7pt, f17b_survey_11pt, f18_declared5_max4, f19_wrong_target, f20_survey_10pt, f21_survey_3pt,
    write_mappings,
]


def main() -> None:
    PLANTED.clear()
    for build in BUILDERS:
        build()
    with (HERE / "planted.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["file", "kind", "value"])
        writer.writerows(sorted(set(PLANTED)))


if __name__ == "__main__":
    main()
