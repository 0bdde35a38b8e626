"""Customer-satisfaction surveys (PCSI and smaller ones): store, scoring and queries.

Order of scoring (domain.md §4): item answer → 100-point score (reverse items flipped) → each
respondent's area mean → (weighted) mean over respondents per area → overall index = weighted sum
of the area scores (area weights from settings [pcsi.area_weights]). Missing codes and out-of-scale
answers are stored with their status but never become scores.

Every survey load is a batch; for one survey (name, year, wave) exactly one batch is active. A
corrected file replaces the active batch (the old one is kept inactive so a rollback restores it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from ccm.db import transaction
from ccm.settings import Settings
from ccm.settings_sections import PcsiSettings

SURVEY_TABLES = (
    "survey_answers",
    "survey_demographics",
    "survey_comments",
    "survey_respondents",
    "survey_items",
)
SCALES = {3: "3점", 4: "4점", 5: "5점", 7: "7점", 10: "10점(1–10)", 11: "11점(0–10)"}
Z95 = 1.96


# ---------------------------------------------------------------------------------------------
# Item scores (used by the loader; pure and vectorised)


def scale_range(scale: int) -> tuple[int, int]:
    """Lowest and highest valid answer of a scale: k points are 1..k, except 11 points = 0..10."""
    if scale == 11:
        return 0, 10
    if scale in SCALES:
        return 1, scale
    raise ValueError(f"지원하지 않는 척도입니다: {scale}점 ({scale_names()}만 가능)")


def scale_names() -> str:
    return ", ".join(SCALES.values())


def numeric_codes(codes) -> list[float]:
    """The numeric missing codes (98, 99); text codes such as '모름' are matched as text."""
    out = []
    for c in codes:
        try:
            out.append(float(c))
        except (TypeError, ValueError):
            continue
    return out


def code_text(c) -> str:
    return f"{c:g}" if isinstance(c, (int, float)) else str(c)


def classify(raw: pd.Series, scale: int, missing_codes: tuple) -> tuple[pd.Series, pd.Series]:
    """Numeric value and status (ok | missing | invalid) of raw answers (strings).

    Answers take few distinct values: each distinct text is classified once, then mapped back."""
    codes, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string").str.strip()
    num = pd.to_numeric(text, errors="coerce").astype("float64")
    lo, hi = scale_range(scale)
    texts = {code_text(c) for c in missing_codes}
    missing = text.isna() | (text == "") | text.isin(texts) | num.isin(numeric_codes(missing_codes))
    ok = ~missing & num.between(lo, hi) & (num == np.floor(num))
    u_status = np.where(missing, "missing", np.where(ok, "ok", "invalid"))
    u_value = num.where(ok).to_numpy()
    blank = codes < 0
    take = np.where(blank, 0, codes)
    status = np.where(blank, "missing", u_status[take] if len(u_status) else "missing")
    value = np.where(blank, np.nan, u_value[take] if len(u_value) else np.nan)
    return pd.Series(value, index=raw.index, dtype="float64"), pd.Series(status, index=raw.index)


def item_score(value: pd.Series, scale: int, reverse: pd.Series | bool = False) -> pd.Series:
    """100-point score of valid answers: k-point 1..k (x−1)/(k−1)×100, 11-point 0..10 x×10.

    Reversed answers (a reverse-coded item, or a survey where 1 = 매우 만족) are flipped first
    (x → lo + hi − x)."""
    lo, hi = scale_range(scale)
    x = value.astype("float64")
    x = x.where(~pd.Series(reverse, index=x.index).astype(bool), lo + hi - x)
    return (x - lo) / (hi - lo) * 100.0


# ---------------------------------------------------------------------------------------------
# Query options (hashable, so pages can cache them)


@dataclass(frozen=True)
class Filter:
    """Respondent filter: demographic attribute → allowed values; facilities (None = all)."""

    demographics: tuple[tuple[str, tuple[str, ...]], ...] = ()
    facilities: tuple[str, ...] | None = None


NO_FILTER = Filter()


@dataclass(frozen=True)
class Options:
    """Settings the scores depend on, as hashable values (built from settings [pcsi])."""

    area_weights: tuple[tuple[str, float], ...] = ()
    facilities: tuple[tuple[str, str], ...] = ()  # facility → department
    min_n: int = PcsiSettings.min_n
    overall_area: str = PcsiSettings.overall_area
    z: float = Z95


def options_from(settings: Settings | None) -> Options:
    p = settings.pcsi if settings is not None else PcsiSettings()
    return Options(
        area_weights=tuple(p.area_weights.items()),
        facilities=tuple(settings.facilities.items()) if settings is not None else (),
        min_n=p.min_n,
        overall_area=p.overall_area,
    )


def _default_options() -> Options:
    from ccm.settings import load_settings

    return options_from(load_settings())


def area_weights(areas: list[str], opts: Options) -> dict[str, float]:
    """Configured area weights when they cover the survey's areas, else equal weights."""
    configured = dict(opts.area_weights)
    if areas and set(areas) <= set(configured):
        return {a: configured[a] for a in areas}
    return {a: 1.0 for a in areas}


# ---------------------------------------------------------------------------------------------
# Respondent-level scores: one query per (year, survey, filter), everything else in pandas


def _active(con, year: int, survey: str) -> list[int]:
    return [
        r[0]
        for r in con.execute(
            "SELECT batch_id FROM survey_batches WHERE active AND survey = ? AND year = ? ORDER BY batch_id",
            [survey, int(year)],
        ).fetchall()
    ]


def _in(ids: list[int]) -> str:
    return f"({', '.join('?' * len(ids))})"


def _filter_sql(flt: Filter, alias: str = "r") -> tuple[str, list]:
    sql, params = "", []
    if flt.facilities is not None:
        if not flt.facilities:
            return " AND FALSE", []
        sql += f" AND {alias}.facility IN {_in(list(flt.facilities))}"
        params += list(flt.facilities)
    for attr, values in flt.demographics:
        if not values:
            continue
        sql += (
            f" AND EXISTS (SELECT 1 FROM survey_demographics d WHERE d.batch_id = {alias}.batch_id"
            f" AND d.resp_no = {alias}.resp_no AND d.attribute = ? AND d.value IN {_in(list(values))})"
        )
        params += [attr, *values]
    return sql, params


@dataclass
class Sample:
    """The scored respondents of one survey year: `meta` (item, area, label, reverse), `wide`
    (one row per respondent: attributes, demographics and one column per item score) and `resp`
    (the same respondents with one column per area mean and `overall`)."""

    meta: pd.DataFrame
    wide: pd.DataFrame
    resp: pd.DataFrame
    areas: list[str]
    overall_area: str | None
    ids: list[int]
    weighted: bool = False  # a batch's spec names a weight column: every statistic uses the weights


BASE = ["batch_id", "resp_no", "facility", "department", "customer_type", "weight"]


def sample(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> Sample:
    opts = opts or _default_options()
    ids = _active(con, year, survey)
    meta = con.execute(
        f"""SELECT item, any_value(area) AS area, any_value(label) AS label, bool_or(reverse) AS reverse,
                   min(position) AS position
            FROM survey_items WHERE batch_id IN {_in(ids or [-1])} GROUP BY item ORDER BY position, item""",
        ids or [-1],
    ).df()
    area_list = list(dict.fromkeys(meta["area"]))
    if not ids or meta.empty:
        empty = pd.DataFrame(columns=BASE + area_list + ["overall"])
        return Sample(meta, pd.DataFrame(columns=BASE), empty, area_list, None, ids)
    weighted = is_weighted(con, ids)
    where, params = _filter_sql(flt)
    cols = ", ".join(f'max(a.score) FILTER (a.item = ?) AS "i{n}"' for n in range(len(meta)))
    wide = con.execute(
        f"""WITH w AS (SELECT a.batch_id, a.resp_no, {cols} FROM survey_answers a
                       WHERE a.batch_id IN {_in(ids)} AND a.score IS NOT NULL GROUP BY a.batch_id, a.resp_no)
            SELECT r.batch_id, r.resp_no, coalesce(r.facility, '(미기재)') AS facility,
                   coalesce(r.customer_type, '(미기재)') AS customer_type, r.weight, w.* EXCLUDE (batch_id, resp_no)
            FROM survey_respondents r JOIN w ON w.batch_id = r.batch_id AND w.resp_no = r.resp_no
            WHERE TRUE {where} ORDER BY r.batch_id, r.resp_no""",
        [*meta["item"], *ids, *params],
    ).df()
    wide = wide.rename(columns={f"i{n}": item for n, item in enumerate(meta["item"])})
    if not weighted:
        wide["weight"] = 1.0  # no weight column: nothing is weighted
    wide.insert(
        3, "department", wide["facility"].map(dict(opts.facilities)).astype("string").fillna("(미지정)")
    )
    wide = _with_demographics(con, wide, ids)
    resp = wide[[c for c in wide.columns if c not in set(meta["item"])]].copy()
    for area in area_list:
        resp[area] = wide[list(meta.loc[meta["area"] == area, "item"])].mean(axis=1)
    w = pd.Series(area_weights(area_list, opts))
    m = resp[area_list]
    resp["overall"] = (m * w).sum(axis=1, min_count=1) / m.notna().mul(w).sum(axis=1)
    return Sample(meta, wide, resp, area_list, _overall_area(con, ids, opts, set(area_list)), ids, weighted)


def is_weighted(con, ids: list[int]) -> bool:
    """Whether a weight column was named in the spec of any of these batches."""
    row = con.execute(
        f"""SELECT coalesce(bool_or(coalesce(json_extract_string(spec, '$.weight_column'), '') <> ''), FALSE)
            FROM survey_batches WHERE batch_id IN {_in(ids or [-1])}""",
        ids or [-1],
    ).fetchone()
    return bool(row[0])


def _with_demographics(con, wide: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    attrs = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT attribute FROM survey_demographics WHERE batch_id IN {_in(ids)} ORDER BY 1", ids
        ).fetchall()
    ]
    if not attrs:
        return wide
    cols = ", ".join(f'any_value(value) FILTER (attribute = ?) AS "d{n}"' for n in range(len(attrs)))
    demo = con.execute(
        f"""SELECT batch_id, resp_no, {cols} FROM survey_demographics
            WHERE batch_id IN {_in(ids)} GROUP BY batch_id, resp_no""",
        [*attrs, *ids],
    ).df()
    demo = demo.rename(columns={f"d{n}": f"demo:{a}" for n, a in enumerate(attrs)})
    return wide.merge(demo, on=["batch_id", "resp_no"], how="left")


def _overall_area(con, ids: list[int], opts: Options, present: set[str]) -> str | None:
    """The outcome area of the IPA: settings [pcsi] overall_area, else the one the survey's spec names."""
    if opts.overall_area in present:
        return opts.overall_area
    named = [
        r[0]
        for r in con.execute(
            f"SELECT overall_area FROM survey_batches WHERE batch_id IN {_in(ids)}", ids
        ).fetchall()
    ]
    return next((a for a in named if a in present), None)


def areas(con, year: int, survey: str = "PCSI") -> list[str]:
    """The survey's areas in questionnaire order."""
    ids = _active(con, year, survey) or [-1]
    rows = con.execute(
        f"SELECT area FROM survey_items WHERE batch_id IN {_in(ids)}"
        " GROUP BY area ORDER BY min(position), area",
        ids,
    ).fetchall()
    return [r[0] for r in rows]


def respondents(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> pd.DataFrame:
    """One row per respondent with a valid answer: facility, department, customer_type, weight,
    one column per area (the respondent's area mean) and `overall` (area-weighted, over the areas
    the respondent answered)."""
    s = sample(con, year, survey, flt, opts)
    return s.resp[BASE + s.areas + ["overall"]]


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    ok = values.notna()
    wsum = weights[ok].sum()
    return float((values[ok] * weights[ok]).sum() / wsum) if wsum > 0 else math.nan


def _area_table(resp: pd.DataFrame, area_list: list[str], opts: Options) -> pd.DataFrame:
    w = area_weights(area_list, opts)
    rows = [
        {
            "area": a,
            "score": _weighted_mean(resp[a], resp["weight"]),
            "n": int(resp[a].notna().sum()),
            "weight": w[a],
        }
        for a in area_list
    ]
    return pd.DataFrame(rows, columns=["area", "score", "n", "weight"])


def _index_of(table: pd.DataFrame) -> float | None:
    t = table.dropna(subset=["score"])
    t = t[t["weight"] > 0]
    if t.empty or len(t) < (table["weight"] > 0).sum():
        return None  # an area without any valid answer: the index is not comparable
    return float((t["score"] * t["weight"]).sum() / t["weight"].sum())


def kish_n(weights: pd.Series) -> float:
    """Kish's effective sample size (Σw)² ÷ Σw² (= n when every weight is equal)."""
    w = weights.astype("float64")
    return float(w.sum() ** 2 / (w**2).sum()) if len(w) and (w**2).sum() > 0 else 0.0


def index_variance(resp: pd.DataFrame, area_list: list[str], opts: Options) -> dict:
    """The index with its design-based variance (Taylor linearisation, respondents as independent
    draws with replacement): the index is Σ c_a R_a ÷ Σ c_a with R_a = Σ w y_a ÷ Σ w over the
    respondents who answered area a; each respondent's linearised value is
    z_i = Σ_a (c_a ÷ Σc) (y_ia − R_a) ÷ W_a, and var = n ÷ (n − 1) · Σ (w_i z_i)².
    With equal weights and every area answered this is s² ÷ n of the respondents' overall scores.
    Returns index (None when an area has no answer), var, se, n (respondents), n_eff (Kish)."""
    table = _area_table(resp, area_list, opts)
    index = _index_of(table)
    scored = resp[resp["overall"].notna()] if "overall" in resp.columns else resp
    n, n_eff = len(scored), kish_n(scored["weight"]) if len(scored) else 0.0
    out = {"index": index, "var": math.nan, "se": math.nan, "n": n, "n_eff": n_eff}
    if index is None or n < 2:
        return out
    c = table.set_index("area")["weight"]
    c = c[c > 0] / c[c > 0].sum()
    w = scored["weight"].astype("float64").to_numpy()
    z = np.zeros(n)
    for area, share in c.items():
        y = scored[area].astype("float64").to_numpy()
        answered = ~np.isnan(y)
        r = float(table.set_index("area").at[area, "score"])
        z += np.where(answered, share * (y - r) / w[answered].sum(), 0.0)
    var = n / (n - 1) * float(((w * z) ** 2).sum())
    return {**out, "var": var, "se": math.sqrt(var)}


def weighted_sd(values: pd.Series, weights: pd.Series) -> float:
    """SD of values around their weighted mean, √(n ÷ (n − 1) · Σ w (x − x̄_w)² ÷ Σ w) (ddof = 1 when equal)."""
    ok = values.notna()
    x, w = values[ok].astype("float64"), weights[ok].astype("float64")
    if len(x) < 2 or w.sum() <= 0:
        return math.nan
    m = float((w * x).sum() / w.sum())
    return math.sqrt(len(x) / (len(x) - 1) * float((w * (x - m) ** 2).sum() / w.sum()))


def weighted_corr(x: pd.Series, y: pd.Series, weights: pd.Series) -> float:
    """Pearson correlation with respondent weights over the pairs present (plain Pearson when equal)."""
    ok = x.notna() & y.notna()
    a, b, w = x[ok].astype("float64"), y[ok].astype("float64"), weights[ok].astype("float64")
    if len(a) < 2 or w.sum() <= 0:
        return math.nan
    da, db = a - (w * a).sum() / w.sum(), b - (w * b).sum() / w.sum()
    den = math.sqrt(float((w * da**2).sum() * (w * db**2).sum()))
    return float((w * da * db).sum() / den) if den > 0 else math.nan


def area_scores(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> pd.DataFrame:
    """Area, score (0–100, weighted mean of respondents' area means), n (respondents), weight."""
    opts = opts or _default_options()
    s = sample(con, year, survey, flt, opts)
    return _area_table(s.resp, s.areas, opts)


def overall_index(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> float | None:
    """Σ area weight × area score ÷ Σ weights; None when the year has no scored answers."""
    opts = opts or _default_options()
    return _index_of(area_scores(con, year, survey, flt, opts))


GROUP_COLUMNS = ["group", "n", "n_eff", "score", "sd", "se", "ci_low", "ci_high", "below_min_n"]


def _groups(s: Sample, by: str, opts: Options) -> pd.DataFrame:
    resp = s.resp
    col = by if by in resp.columns else f"demo:{by}"
    if resp.empty or col not in resp.columns:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    rows = []
    for group, part in resp.assign(_g=resp[col].fillna("(미기재)")).groupby("_g", sort=True):
        v = index_variance(part, s.areas, opts)
        score, half = v["index"], opts.z * v["se"]
        rows.append(
            {
                "group": group,
                "n": v["n"],
                "n_eff": v["n_eff"],
                "score": score,
                "sd": weighted_sd(part["overall"], part["weight"]),
                "se": v["se"],
                "ci_low": None if score is None else score - half,
                "ci_high": None if score is None else score + half,
                "below_min_n": v["n"] < opts.min_n,
            }
        )
    return pd.DataFrame(rows, columns=GROUP_COLUMNS).astype(
        {"score": "float64", "ci_low": "float64", "ci_high": "float64", "se": "float64", "n_eff": "float64"}
    )


def group_scores(
    con,
    year: int,
    survey: str = "PCSI",
    by: str = "facility",
    flt: Filter = NO_FILTER,
    opts: Options | None = None,
) -> pd.DataFrame:
    """Per group (facility | department | customer_type | a demographic attribute): n, n_eff (Kish),
    score (the index formula within the group), sd of respondents' overall scores, se (design-based,
    `index_variance`), 95% interval score ± z·se, and whether n is below the minimum. Weighted when
    the survey has a weight column (se = sd/√n when it has none and every area is answered)."""
    opts = opts or _default_options()
    return _groups(sample(con, year, survey, flt, opts), by, opts)


def facility_scores(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> pd.DataFrame:
    """facility, department (settings facility → department), n, score, ci_low, ci_high, below_min_n."""
    opts = opts or _default_options()
    g = group_scores(con, year, survey, "facility", flt, opts).rename(columns={"group": "facility"})
    g.insert(1, "department", g["facility"].map(dict(opts.facilities)).astype("string").fillna("(미지정)"))
    return g[["facility", "department", "n", "score", "ci_low", "ci_high", "below_min_n"]]


def demographic_values(con, year: int, survey: str = "PCSI") -> dict[str, list[str]]:
    """Demographic attribute → its values, for filters."""
    ids = _active(con, year, survey) or [-1]
    rows = con.execute(
        f"""SELECT attribute, value FROM survey_demographics
            WHERE batch_id IN {_in(ids)} AND value IS NOT NULL
            GROUP BY ALL ORDER BY attribute, value""",
        ids,
    ).fetchall()
    out: dict[str, list[str]] = {}
    for attr, value in rows:
        out.setdefault(attr, []).append(value)
    return out


# ---------------------------------------------------------------------------------------------
# Year over year, items, importance–performance, comments

YOY_TEST = "Welch t-검정(종합지수의 차이, 설계 기반 선형화 분산)"
YOY_TEST_WEIGHTED = (
    "가중 Welch t-검정(가중 종합지수의 차이, 설계 기반 선형화 분산, 자유도는 Kish 유효 표본 수)"
)


def _yoy(cur: Sample, prev: Sample, year: int, opts: Options) -> dict:
    from scipy import stats

    a, b = index_variance(cur.resp, cur.areas, opts), index_variance(prev.resp, prev.areas, opts)
    weighted = cur.weighted or prev.weighted
    out = {
        "year": year,
        "index": a["index"],
        "prev_year": year - 1,
        "prev_index": b["index"],
        "n": a["n"],
        "prev_n": b["n"],
        "n_eff": a["n_eff"],
        "prev_n_eff": b["n_eff"],
        "t": None,
        "p": None,
        "df": None,
        "se": None,
        "weighted": weighted,
        "test": YOY_TEST_WEIGHTED if weighted else YOY_TEST,
    }
    out["diff"] = None if a["index"] is None or b["index"] is None else a["index"] - b["index"]
    va, vb = a["var"], b["var"]
    if (
        out["diff"] is not None
        and not (math.isnan(va) or math.isnan(vb))
        and va + vb > 0
        and a["n_eff"] > 1
        and b["n_eff"] > 1
    ):
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (a["n_eff"] - 1) + vb**2 / (b["n_eff"] - 1))
        t = out["diff"] / se
        out.update(t=t, df=df, se=se, p=float(2 * stats.t.sf(abs(t), df)))
    return out


def yoy(con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None) -> dict:
    """This year's index against last year's: the difference of the two indices (the one reported)
    tested with Welch's t on their design-based variances (`index_variance`), Welch–Satterthwaite
    degrees of freedom from Kish's effective n. Weighted when the survey has a weight column."""
    opts = opts or _default_options()
    return _yoy(sample(con, year, survey, flt, opts), sample(con, year - 1, survey, flt, opts), year, opts)


def trend(con, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None) -> pd.DataFrame:
    """Index and area scores per year (all loaded years)."""
    opts = opts or _default_options()
    frames = []
    for y in years(con, survey):
        t = area_scores(con, y, survey, flt, opts)
        t = pd.concat(
            [
                t,
                pd.DataFrame(
                    [{"area": "종합지수", "score": _index_of(t), "n": t["n"].max(), "weight": None}]
                ),
            ],
            ignore_index=True,
        )
        t.insert(0, "year", y)
        frames.append(t)
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["year", "area", "score", "n", "weight"])
    )


QUADRANTS = {
    (True, False): "중점개선(우선 개선)",
    (True, True): "유지강화",
    (False, False): "점진개선",
    (False, True): "현상유지",
}
ITEM_COLUMNS = [
    "item",
    "area",
    "label",
    "reverse",
    "n",
    "score",
    "missing",
    "invalid",
    "importance",
    "quadrant",
]


def _items(con, s: Sample, flt: Filter) -> pd.DataFrame:
    if s.wide.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    where, params = _filter_sql(flt)
    counts = con.execute(
        f"""SELECT a.item, count(*) FILTER (a.status = 'missing') AS missing,
                   count(*) FILTER (a.status = 'invalid') AS invalid
            FROM survey_answers a JOIN survey_respondents r ON r.batch_id = a.batch_id AND r.resp_no = a.resp_no
            WHERE a.batch_id IN {_in(s.ids)} {where} GROUP BY a.item""",
        [*s.ids, *params],
    ).df()
    out = s.meta.drop(columns="position").merge(counts, on="item", how="left")
    out["n"] = [int(s.wide[i].notna().sum()) for i in out["item"]]
    out["score"] = [_weighted_mean(s.wide[i], s.wide["weight"]) for i in out["item"]]
    out["importance"] = math.nan
    if s.overall_area:
        outcome = s.resp[s.overall_area]
        rated = out["area"] != s.overall_area
        out.loc[rated, "importance"] = [
            weighted_corr(s.wide[i], outcome, s.wide["weight"]) for i in out.loc[rated, "item"]
        ]
    ipa = out["importance"].notna() & out["score"].notna()
    mi, mp = out.loc[ipa, "importance"].mean(), out.loc[ipa, "score"].mean()
    out["quadrant"] = None
    out.loc[ipa, "quadrant"] = [
        QUADRANTS[(imp >= mi, perf >= mp)]
        for imp, perf in zip(out.loc[ipa, "importance"], out.loc[ipa, "score"])
    ]
    return out.astype({"n": "Int64", "missing": "Int64", "invalid": "Int64"})[ITEM_COLUMNS]


def items(
    con, year: int, survey: str = "PCSI", flt: Filter = NO_FILTER, opts: Options | None = None
) -> pd.DataFrame:
    """Per item: area, label, n valid, (weighted) mean score, missing and invalid counts,
    importance (Pearson correlation of the item score with the respondent's 전반적만족 area mean,
    weighted when the survey has a weight column) and the importance–performance quadrant (split at
    the means over the items)."""
    return _items(con, sample(con, year, survey, flt, opts), flt)


def summary(
    con,
    year: int,
    survey: str = "PCSI",
    flt: Filter = NO_FILTER,
    opts: Options | None = None,
    by: tuple[str, ...] = ("facility", "department", "customer_type"),
) -> dict:
    """Everything the PCSI page shows for one year, from one fetch per year: index, areas, groups
    (for each of `by` and every demographic attribute), items with IPA, and the YoY test."""
    opts = opts or _default_options()
    cur = sample(con, year, survey, flt, opts)
    prev = sample(con, year - 1, survey, flt, opts)
    areas_ = _area_table(cur.resp, cur.areas, opts)
    demo = [c.removeprefix("demo:") for c in cur.resp.columns if c.startswith("demo:")]
    return {
        "index": _index_of(areas_),
        "areas": areas_,
        "yoy": _yoy(cur, prev, year, opts),
        "groups": {b: _groups(cur, b, opts) for b in (*by, *demo)},
        "items": _items(con, cur, flt),
        "n": int(cur.resp["overall"].notna().sum()),
        "weighted": cur.weighted,
    }


def fix_first(item_table: pd.DataFrame) -> pd.DataFrame:
    """Items in the 'fix first' quadrant (high importance, low performance), most important first."""
    t = item_table[item_table["quadrant"] == QUADRANTS[(True, False)]]
    return t.sort_values("importance", ascending=False)


def comments(con, year: int, survey: str = "PCSI", search: str = "", flt: Filter = NO_FILTER) -> pd.DataFrame:
    """Open comments (masked at load) containing `search` (case-insensitive)."""
    ids = _active(con, year, survey) or [-1]
    where, params = _filter_sql(flt)
    return con.execute(
        f"""SELECT coalesce(r.facility, '(미기재)') AS facility, r.customer_type, c.question, c.text
            FROM survey_comments c JOIN survey_respondents r ON r.batch_id = c.batch_id AND r.resp_no = c.resp_no
            WHERE c.batch_id IN ({", ".join("?" * len(ids))}) AND c.text IS NOT NULL AND trim(c.text) <> ''
              AND (? = '' OR contains(lower(c.text), lower(?))) {where}
            ORDER BY r.facility, c.resp_no""",
        [*ids, search, search, *params],
    ).df()


def answer_problems(con, year: int, survey: str = "PCSI") -> pd.DataFrame:
    """Missing and out-of-scale answers per item (they never become scores)."""
    ids = _active(con, year, survey) or [-1]
    return con.execute(
        f"""SELECT item, count(*) FILTER (status = 'missing') AS missing,
                   count(*) FILTER (status = 'invalid') AS invalid,
                   string_agg(CASE WHEN status = 'invalid' THEN resp_no::VARCHAR || '행=' || raw END, ', ')
                     AS invalid_rows
            FROM survey_answers WHERE batch_id IN ({", ".join("?" * len(ids))})
            GROUP BY item HAVING count(*) FILTER (status <> 'ok') > 0 ORDER BY item""",
        ids,
    ).df()


# ---------------------------------------------------------------------------------------------
# Catalogue and batches


def surveys(con) -> list[str]:
    rows = con.execute(
        "SELECT survey FROM survey_batches WHERE active GROUP BY survey ORDER BY survey <> 'PCSI', survey"
    ).fetchall()
    return [r[0] for r in rows]


def years(con, survey: str = "PCSI") -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT year FROM survey_batches WHERE active AND survey = ? ORDER BY year", [survey]
    ).fetchall()
    return [r[0] for r in rows]


def has_data(con) -> bool:
    return bool(con.execute("SELECT EXISTS (SELECT 1 FROM survey_batches WHERE active)").fetchone()[0])


def active_batch(con, survey: str, year: int, wave: str = "") -> dict | None:
    """The loaded batch a new file for this survey (name, year, wave) would replace."""
    row = con.execute(
        """SELECT b.batch_id, l.file_name, l.loaded_at, l.rows_inserted FROM survey_batches b
           JOIN load_batches l USING (batch_id) WHERE b.active AND b.survey = ? AND b.year = ? AND b.wave = ?""",
        [survey, int(year), wave],
    ).fetchone()
    return None if row is None else dict(zip(("batch_id", "file_name", "loaded_at", "respondents"), row))


def batches(con) -> pd.DataFrame:
    return con.execute(
        """SELECT b.batch_id, b.survey, b.year, b.wave, b.scale, b.active, b.replaced_by, l.file_name,
                  l.rows_read, l.rows_inserted, l.loaded_at, l.loaded_by, l.status
           FROM survey_batches b JOIN load_batches l USING (batch_id) ORDER BY b.batch_id"""
    ).df()


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo a survey batch in one transaction: remove its rows, reactivate the batch it had replaced,
    mark it rolled_back in load_batches. Refused (ValueError) for a batch a later load replaced."""
    row = con.execute(
        "SELECT active, replaced_by FROM survey_batches WHERE batch_id = ?", [batch_id]
    ).fetchone()
    if row is None:
        raise ValueError(
            f"고객만족도 적재 배치 {batch_id}번이 없습니다(이미 되돌렸거나 설문 배치가 아닙니다)."
        )
    if not row[0]:
        raise ValueError(
            f"배치 {batch_id}번은 뒤의 배치({row[1]})가 같은 조사를 대체했습니다. 뒤의 배치부터 되돌리세요."
        )
    with transaction(con):
        removed = con.execute(
            "SELECT count(*) FROM survey_respondents WHERE batch_id = ?", [batch_id]
        ).fetchone()[0]
        restored = [
            r[0]
            for r in con.execute(
                "SELECT batch_id FROM survey_batches WHERE replaced_by = ?", [batch_id]
            ).fetchall()
        ]
        con.execute(
            "UPDATE survey_batches SET active = TRUE, replaced_by = NULL WHERE replaced_by = ?", [batch_id]
        )
        for table in SURVEY_TABLES:
            con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
        con.execute("DELETE FROM survey_batches WHERE batch_id = ?", [batch_id])
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "respondents_removed": int(removed), "restored_batches": restored}


def peer_average(settings: Settings | None, year: int) -> tuple[float, int, str] | None:
    """The configured peer-group average for `year` (or the closest earlier year): value, year, label."""
    peer = settings.pcsi.peer_average if settings is not None else PcsiSettings().peer_average
    earlier = sorted((y, v) for y, v in peer.by_year.items() if y <= year)
    if not earlier:
        return None
    y, v = earlier[-1]
    return v, y, peer.label
