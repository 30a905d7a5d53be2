"""Loading a client: validation errors name file, spreadsheet row, column, value and the fix."""

import pytest

import kpi_helpers as kh
from conftest import DEMO, write_tiny_client


def test_demo_client_loads_every_table():
    data = kh.load_client(DEMO / "stackline-analytics" / "client.yaml")
    assert set(data.tables) == {"activity", "costs", "deals", "orders", "customers", "survey"}
    assert data.config.year == 2025
    assert data.activity["period"].dt.year.unique().tolist() == [2024, 2025]
    assert all(len(i["sha256"]) == 64 for i in data.inputs)


def test_folder_path_and_slug_default(tiny_client):
    data = kh.load_client(tiny_client.parent)
    assert data.config.slug == "tiny"


def test_bad_number_names_file_row_column_and_value(tmp_path):
    def corrupt(df):
        df = df.astype({"spend": object})
        df.loc[2, "spend"] = "12 500,00 ₽"  # third data row -> spreadsheet row 4
        return df

    cfg = write_tiny_client(tmp_path / "c", activity_edit=corrupt)
    with pytest.raises(kh.DataError) as err:
        kh.load_client(cfg)
    msg = str(err.value)
    assert "activity.csv, row 4, column \"spend\": '12 500,00 ₽' is not a number" in msg
    assert "no currency signs or thousands separators" in msg


def test_every_problem_is_listed_at_once(tmp_path):
    def corrupt(df):
        df = df.astype({"visits": object, "channel": object})
        df.loc[0, "visits"] = "-5"
        df.loc[5, "channel"] = "Google"
        return df

    cfg = write_tiny_client(tmp_path / "c", activity_edit=corrupt)
    with pytest.raises(kh.DataError) as err:
        kh.load_client(cfg)
    assert len(err.value.problems) == 2
    assert "row 2, column \"visits\": '-5' is not a non-negative count" in str(err.value)
    assert "row 7, column \"channel\": 'Google' is not a known channel" in str(err.value)


def test_channel_map_translates_export_names(tmp_path):
    def rename(df):
        df["channel"] = df["channel"].replace({"paid_search": "Google / cpc"})
        return df

    cfg = write_tiny_client(
        tmp_path / "c",
        activity_edit=rename,
        extra_yaml='channel_map: {"Google / cpc": paid_search}\n',
    )
    data = kh.load_client(cfg)
    assert "paid_search" in set(data.activity["channel"])


def test_missing_column_says_what_was_found(tmp_path):
    cfg = write_tiny_client(tmp_path / "c", activity_edit=lambda df: df.drop(columns="tactic"))
    with pytest.raises(
        kh.DataError,
        match=r"activity\.csv: table 'activity' lacks required column\(s\) tactic; found period",
    ):
        kh.load_client(cfg)


def test_missing_file_and_bad_config_field(tmp_path):
    cfg = write_tiny_client(tmp_path / "c")
    (cfg.parent / "costs.csv").unlink()
    with pytest.raises(kh.DataError, match=r"costs\.csv: file not found"):
        kh.load_client(cfg)
    cfg.write_text(cfg.read_text().replace("year: 2025", "year: next"))
    with pytest.raises(kh.DataError, match=r"client\.yaml, field year: .*found 'next'"):
        kh.load_client(cfg)


def test_target_needs_value_or_change(tmp_path):
    cfg = write_tiny_client(tmp_path / "c", extra_yaml="")
    cfg.write_text(
        cfg.read_text().replace("{kpi: cac, scope: all, value: 20}", "{kpi: cac, scope: all}")
    )
    with pytest.raises(kh.DataError, match="targets.1: Value error, give exactly one of value"):
        kh.load_client(cfg)
