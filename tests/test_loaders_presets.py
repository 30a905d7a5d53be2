"""Platform presets on fixture files that mimic each platform's documented export
(tests/fixtures/presets).

Expected totals were worked out by hand from the fixture rows; where the export itself carries a
totals
row ("Итого и средние", "Grand total", "Total: Account", Meta's summary row), the loaded rows must
add up
to it, and that row must be left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.loaders import PRESETS, validate_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PRESET_FILES = FIXTURES / "presets"
ACTIVITY = FIXTURES / "canonical_activity.csv"

#: preset -> fixture files mimicking its export
FIXTURE_OF = {
    "yandex_metrica": ["yandex_metrica_sources_ru.xlsx", "yandex_metrica_sources_en.csv"],
    "ga4": ["ga4_traffic_acquisition.csv"],
    "yandex_direct": ["yandex_direct_campaigns.tsv", "yandex_direct_wizard_ru.csv"],
    "google_ads": ["google_ads_campaigns.csv"],
    "meta_ads": ["meta_ads_export.csv"],
    "vk_ads": ["vk_ads_stats.xlsx"],
    "bitrix24": ["bitrix24_deals.csv", "bitrix24_deals_excel.xls"],
    "amocrm": ["amocrm_leads.xlsx"],
    "hubspot": ["hubspot_deals.csv"],
    "salesforce": ["salesforce_opportunities.csv"],
    "social": ["social_networks.csv"],
    "email": ["email_mailchimp.csv"],
    "survey": ["survey_google_forms.csv"],
}


def errors(tmp_path, file, preset, *, client=None, **source) -> list[str]:
    """The hard errors validate_client reports for one preset fixture."""
    return check(tmp_path, file, preset, client=client, **source)[1].errors


def check(tmp_path, file, preset, *, client=None, **source):
    """(client.yaml path, ValidationReport) for one preset fixture in a throw-away client
    (EUR; RUB at 0.01 EUR; VAT 20 %)."""
    table = PRESETS[preset].table
    sources = [] if table == "activity" else [{"table": "activity", "path": str(ACTIVITY)}]
    sources.append({"table": table, "path": str(PRESET_FILES / file), "preset": preset, **source})
    config = {
        "name": "Preset test",
        "currency": "EUR",
        "year": 2025,
        "vat_rate": 0.2,
        "rates": {"RUB": 0.01},
        "sources": sources,
        "allow_outside": [str(FIXTURES)],
        **(client or {}),
    }
    path = tmp_path / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path, validate_client(path)


def load(tmp_path, file, preset, *, client=None, **source):
    """(the preset's table, the report's record of this source) after checking there are no
    errors."""
    path, report = check(tmp_path, file, preset, client=client, **source)
    assert report.ok, report.errors
    data = kh.load_client(path)
    return data.tables[PRESETS[preset].table].query(
        "tactic != 'Search A'", engine="python"
    ) if PRESETS[preset].table == "activity" else data.tables[PRESETS[preset].table], report


def test_every_preset_has_a_fixture_naming_its_documentation():
    assert set(FIXTURE_OF) == set(PRESETS)
    for preset, files in FIXTURE_OF.items():
        assert PRESETS[preset].doc.count("http") >= 1, preset
        for f in files:
            head = (PRESET_FILES / f).read_bytes()[:4000]
            if f.endswith(".xlsx"):
                from openpyxl import load_workbook

                ws = load_workbook(PRESET_FILES / f, read_only=True).worksheets[0]
                first = next(ws.iter_rows(values_only=True))
                assert "http" in str(first[0]) or preset == "amocrm", (
                    f
                )  # amoCRM's sheet starts at its header
            else:
                assert b"http" in head, f
            assert f"`{f}` | `{preset}`" in (PRESET_FILES / "README.md").read_text(encoding="utf-8")


def test_metrica_ru_xlsx_title_rows_totals_row_and_rates_to_counts(tmp_path):
    df, report = load(tmp_path, "yandex_metrica_sources_ru.xlsx", "yandex_metrica")
    src = report.sources[-1]
    assert (src["format"], src["header_row"], src["rows_in"], src["rows_out"]) == ("xlsx", 5, 5, 4)
    assert src["rows_dropped"] == {"totals row": 1}
    assert df["visits"].sum() == 2400  # = the export's own "Итого и средние" row
    # bounces = visits x bounce rate: 1000*.2 + 600*.3 + 400*.1 + 400*.25
    assert df["bounces"].sum() == 520
    assert df["pageviews"].sum() == 1000 * 2.5 + 600 * 1.5 + 400 * 3 + 400 * 2
    assert df["duration_s"].sum() == 1000 * 100 + 600 * 60 + 400 * 120 + 400 * 90
    assert dict(zip(df["tactic"], df["channel"]))["Переходы по рекламе"] == "paid_search"
    assert sorted(df["period"].dt.strftime("%Y-%m").unique()) == ["2025-01", "2025-02"]


def test_metrica_en_csv(tmp_path):
    df, report = load(tmp_path, "yandex_metrica_sources_en.csv", "yandex_metrica")
    assert report.sources[-1]["encoding"] == "utf-8-sig"
    assert df["visits"].sum() == 1500 and df["bounces"].sum() == 900 * 0.2 + 600 * 0.15
    assert set(df["channel"]) == {"organic_search", "referral"}


def test_ga4_comment_lines_grand_total_and_second_block(tmp_path):
    df, report = load(tmp_path, "ga4_traffic_acquisition.csv", "ga4")
    src = report.sources[-1]
    assert src["header_row"] == 11 and src["date_format"] == {"period": "%Y%m%d"}
    assert src["rows_dropped"] == {"totals row": 1, "blank row": 1, "below the table": 6}
    assert (df["visits"].sum(), df["engaged_visits"].sum(), df["conversions"].sum()) == (
        1500,
        900,
        30,
    )
    assert df["bounces"].sum() == 1500 - 900  # GA4: a bounce is a session that was not engaged
    assert set(df["channel"]) == {"organic_search", "paid_search", "email"}


def test_direct_api_tsv_with_vat_in_roubles(tmp_path):
    df, report = load(
        tmp_path, "yandex_direct_campaigns.tsv", "yandex_direct", vat_included=True, currency="RUB"
    )
    src = report.sources[-1]
    assert (src["delimiter"], src["header_row"], src["rows_dropped"]) == (
        "tab",
        3,
        {"footer below the table": 1},
    )
    # 28 800 RUB with VAT -> / 1.2 = 24 000 RUB net -> x 0.01 = 240 EUR
    assert df["spend"].sum() == pytest.approx(240.0)
    assert dict(zip(df["campaign"], df["channel"])) == {
        "Brand search": "paid_search",
        "YAN banners": "display",
    }


def test_direct_wizard_cp1251_semicolons_decimal_comma(tmp_path):
    df, report = load(
        tmp_path, "yandex_direct_wizard_ru.csv", "yandex_direct", vat_included=False, currency="RUB"
    )
    src = report.sources[-1]
    assert (src["encoding"], src["delimiter"], src["decimal"], src["thousands"]) == (
        "cp1251",
        "semicolon",
        ",",
        " ",
    )
    assert df["spend"].sum() == pytest.approx(27_600.50 * 0.01)  # the export's "Итого" row, in EUR
    assert df["impressions"].sum() == 23_000


def test_direct_requires_the_vat_basis(tmp_path):
    assert any(
        "`vat_included: true`" in e
        for e in errors(tmp_path, "yandex_direct_campaigns.tsv", "yandex_direct", currency="RUB")
    )


def test_google_ads_title_rows_thousands_commas_and_total_rows(tmp_path):
    df, report = load(tmp_path, "google_ads_campaigns.csv", "google_ads")
    assert report.sources[-1]["rows_dropped"] == {"totals row": 2}
    assert (df["spend"].sum(), df["impressions"].sum(), df["clicks"].sum()) == (
        1250.5,
        102_000,
        1100,
    )
    assert df["conversions"].isna().sum() == 1  # "--" is no value, not zero
    assert dict(zip(df["campaign"], df["channel"]))["Display - Remarketing"] == "display"


def test_meta_summary_row_and_currency_in_header(tmp_path):
    df, report = load(tmp_path, "meta_ads_export.csv", "meta_ads")
    assert report.sources[-1]["rows_dropped"] == {"summary row": 1}
    assert (df["spend"].sum(), df["reach"].sum(), df["clicks"].sum(), df["conversions"].sum()) == (
        600,
        30000,
        900,
        45,
    )
    assert set(df["channel"]) == {"social_paid"}


def test_meta_currency_in_header_must_match_the_source(tmp_path):
    found = errors(tmp_path, "meta_ads_export.csv", "meta_ads", currency="USD")
    assert any("is in EUR by its header, but client.yaml says `currency: USD`" in e for e in found)


def test_vk_ads_xlsx_with_vat(tmp_path):
    df, _ = load(tmp_path, "vk_ads_stats.xlsx", "vk_ads", vat_included=True, currency="RUB")
    assert df["spend"].sum() == pytest.approx(11_700 / 1.2 * 0.01)
    assert df["reach"].sum() == 49_000


PERSONAL = ("Иван", "ivan@", "+7 900", "Мария", "maria@", "Jane Roe", "a@example.com", "Pat Lee")


def _no_personal_data(df):
    text = df.astype(str).to_csv()
    assert not any(p in text for p in PERSONAL)
    assert not {
        c for c in df.columns if any(w in c.lower() for w in ("phone", "mail", "name", "contact"))
    }


def test_bitrix24_csv_stages_sources_and_no_personal_data(tmp_path):
    df, report = load(
        tmp_path,
        "bitrix24_deals.csv",
        "bitrix24",
        currency="RUB",
        client={"channel_map": {"Реклама": "paid_search"}},
    )
    assert report.sources[-1]["encoding"] == "cp1251"
    assert df[["stage", "status"]].values.tolist() == [
        ["won", "won"],
        ["lead", "lost"],
        ["opportunity", "open"],
    ]
    assert df["amount"].sum() == pytest.approx((150_000 + 80_000 + 20_000) * 0.01)
    assert df["tactic"].tolist() == [
        "winter_sale",
        "Реклама",
        "Рекомендация",
    ]  # blank UTM -> the source's label
    _no_personal_data(df)


def test_bitrix24_excel_export_that_is_html(tmp_path):
    df, report = load(tmp_path, "bitrix24_deals_excel.xls", "bitrix24", currency="RUB")
    assert report.sources[-1]["format"] == "html"
    assert any("web page holding a table" in w for w in report.warnings)
    assert df["amount"].tolist() == [450.0, 120.0]
    _no_personal_data(df)


def test_amocrm_xlsx(tmp_path):
    df, report = load(
        tmp_path,
        "amocrm_leads.xlsx",
        "amocrm",
        currency="RUB",
        client={"channel_map": {"yandex": "paid_search", "vk": "social_paid"}},
    )
    assert report.sources[-1]["sheet"] == "Сделки"
    assert df["status"].tolist() == ["won", "open", "lost"] and df["stage"].tolist() == [
        "won",
        "sql",
        "lead",
    ]
    assert df["deal_id"].tolist() == ["3001", "3002", "3003"]
    _no_personal_data(df)


def test_hubspot_and_a_client_stage_map(tmp_path):
    df, _ = load(
        tmp_path, "hubspot_deals.csv", "hubspot", client={"stage_map": {"Closed Lost": "sql/lost"}}
    )
    assert df[["stage", "status"]].values.tolist() == [
        ["won", "won"],
        ["opportunity", "open"],
        ["sql", "lost"],
    ]
    assert df["channel"].tolist() == ["organic_search", "paid_search", "email"]
    _no_personal_data(df)


def test_salesforce_footer_and_us_dates(tmp_path):
    df, report = load(
        tmp_path, "salesforce_opportunities.csv", "salesforce", channel_map={"Web": "direct"}
    )
    assert report.sources[-1]["date_format"] == {"created": "%m/%d/%Y", "closed": "%m/%d/%Y"}
    assert report.sources[-1]["rows_dropped"] == {"blank row": 1, "footer below the table": 2}
    assert df["created"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-15",
        "2025-02-03",
        "2025-03-12",
    ]
    _no_personal_data(df)


def test_salesforce_unmapped_lead_source_is_an_error(tmp_path):
    found = errors(tmp_path, "salesforce_opportunities.csv", "salesforce")
    assert any("row 3, column \"channel\": 'Web' is not a known channel" in e for e in found)


def test_social_and_email(tmp_path):
    social, _ = load(tmp_path, "social_networks.csv", "social")
    assert social.groupby("tactic")["reach"].sum().to_dict() == {"Telegram": 9000, "VK": 25000}
    (tmp_path / "e").mkdir()
    email, report = load(tmp_path / "e", "email_mailchimp.csv", "email")
    assert (
        email["sends"].sum(),
        email["opens"].sum(),
        email["clicks"].sum(),
        email["unsubscribes"].sum(),
    ) == (10_200, 4_100, 850, 55)  # unique opens / clicks, not the totals
    assert report.sources[-1]["date_format"] == {"period": "%b %d, %Y %I:%M %p"}


def test_survey_google_forms(tmp_path):
    df, report = load(tmp_path, "survey_google_forms.csv", "survey")
    assert df["nps"].tolist() == [10, 7, 3] and df["csat"].tolist() == [5, 4, 2]
    assert df["respondent_id"].tolist() == ["row 3", "row 4", "row 5"]
    assert "spreadsheet row is used" in report.sources[-1]["respondent_id"]
    _no_personal_data(df)


def test_a_client_mixing_presets_stacks_activity_and_records_every_input(tmp_path):
    sources = [
        {
            "table": "activity",
            "path": str(PRESET_FILES / "yandex_metrica_sources_en.csv"),
            "preset": "yandex_metrica",
        },
        {
            "table": "activity",
            "path": str(PRESET_FILES / "meta_ads_export.csv"),
            "preset": "meta_ads",
        },
        {
            "table": "activity",
            "path": str(PRESET_FILES / "google_ads_campaigns.csv"),
            "preset": "google_ads",
        },
        {"table": "deals", "path": str(PRESET_FILES / "hubspot_deals.csv"), "preset": "hubspot"},
    ]
    path = tmp_path / "client.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "Mix",
                "currency": "EUR",
                "year": 2025,
                "sources": sources,
                "allow_outside": [str(FIXTURES)],
            }
        )
    )
    data = kh.load_client(path)
    exported = data.activity.drop(columns=list(data.derived)).dropna(
        how="all",
        subset=[
            c for c in data.activity if c not in ("period", "channel", "tactic", *data.derived)
        ],
    )
    assert len(exported) == 2 + 2 + 2 and data.activity["spend"].sum() == 600 + 1250.5
    # the funnel the web and ad exports lack is counted from the CRM's deals, and said so
    assert data.derived["leads"] == "deals" and any(
        w.startswith("Derived from the CRM deals") for w in data.warnings
    )
    assert [i["preset"] for i in data.inputs] == [
        "yandex_metrica",
        "meta_ads",
        "google_ads",
        "hubspot",
    ]
    for i in data.inputs:
        assert {
            "table",
            "path",
            "sha256",
            "rows",
            "rows_in",
            "rows_out",
            "rows_dropped",
            "format",
        } <= set(i)
    assert any("no rows for" in w for w in data.warnings)  # a few months only: said, not fatal
