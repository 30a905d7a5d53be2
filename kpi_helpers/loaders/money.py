"""Money onto one currency and one tax basis, so that ROI never mixes them.

Each source declares its currency (default: the client's) and, where a platform
reports both ways, whether its amounts include VAT. Amounts in another currency are
multiplied by the client's ``rates`` (one rate, or one per month ``YYYY-MM`` of the
row's date); amounts on the other tax basis are divided or multiplied by
``1 + vat_rate``. Anything missing for that is a hard error, never a silent guess.
"""

from __future__ import annotations

import pandas as pd

from ..core.schema import DATE_COLUMNS, MONEY_COLUMNS

__all__ = ["convert_money"]


def _rows(index, mask) -> str:
    rows = [str(int(r)) for r in index[mask.to_numpy()][:5]]
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def _currency_problems(frame, table, src, cfg, currencies, label, errors) -> pd.Series | str:
    """Each row's currency (or the file's one currency), after checking headers that name one."""
    declared = src.currency or cfg.currency
    for col, code in currencies.items():
        if code is None or col not in MONEY_COLUMNS[table] or code == declared:
            continue
        if src.currency is None:
            errors.append(
                f"{label}: column {col!r} is in {code} by its header, but this source declares no "
                f"currency and the client's is {cfg.currency}: set `currency: {code}` for this "
                "source "
                f"in client.yaml (and a rate under `rates:`)"
            )
        else:
            errors.append(
                f"{label}: column {col!r} is in {code} by its header, but client.yaml says "
                f"`currency: {src.currency}` for this source; correct one of them"
            )
    if "currency" in frame.columns:
        row_cur = frame["currency"].astype("string").str.strip().str.upper()
        return row_cur.mask(row_cur.isna() | (row_cur == ""), declared)
    return declared  # one currency for the whole file: no per-row work on millions of rows


def _rate_per_row(frame, table, cur, rate, mask, label, errors) -> pd.Series | None:
    if not isinstance(rate, dict):
        return pd.Series(float(rate), index=frame.index[mask.to_numpy()])
    dates = pd.to_datetime(frame.loc[mask, DATE_COLUMNS[table]], errors="coerce")
    months = dates.dt.strftime("%Y-%m")
    missing = sorted(set(months.dropna()) - set(map(str, rate)))
    if missing:
        errors.append(
            f"{label}: no {cur} rate for month(s) {', '.join(missing)}: add them under "
            f"`rates: {{{cur}: {{YYYY-MM: rate}}}}` in client.yaml"
        )
        return None
    return months.map({str(k): float(v) for k, v in rate.items()})


# long: currency, rate table and tax basis converted in that order, each refusal with its fix
def convert_money(
    frame: pd.DataFrame, table: str, src, cfg, preset, currencies: dict[str, str | None], label: str
) -> tuple[pd.DataFrame, list[str], dict]:
    """Bring a source's money columns to the client's currency and tax basis.

    Parameters
    ----------
    frame : DataFrame
        The source's rows with money columns parsed (``float64``).
    table : str
        Canonical table (which columns are money, which column dates a row).
    src, cfg : Source, ClientConfig
        The source's ``currency`` / ``vat_included``; the client's ``currency``,
        ``rates``, ``vat_rate`` and ``amounts_include_vat``.
    preset : Preset or None
        ``needs_vat`` (the source must state VAT) and ``vat_default``.
    currencies : dict
        Target column -> currency named in its header (``Amount spent (USD)``).
    label : str
        File name for messages.

    Returns
    -------
    (frame, errors, info)
        ``info`` has ``currency``, ``converted`` ({currency: rows}), ``vat_included``
        and ``vat_factor`` (1 when nothing changed).
    """
    errors: list[str] = []
    money = [c for c in MONEY_COLUMNS[table] if c in frame.columns]
    row_cur = _currency_problems(frame, table, src, cfg, currencies, label, errors)
    info: dict = {"currency": src.currency or cfg.currency, "converted": {}}
    if not money:
        return frame, errors, info
    numeric = [c for c in money if pd.api.types.is_float_dtype(frame[c].dtype)]
    out = frame.copy()
    currencies_seen = {row_cur} if isinstance(row_cur, str) else set(row_cur.dropna())
    for cur in sorted(currencies_seen - {cfg.currency}):
        mask = (
            (row_cur == cur).fillna(False)
            if not isinstance(row_cur, str)
            else pd.Series(True, index=frame.index)
        )
        rate = cfg.rates.get(cur)
        if rate is None:
            errors.append(
                f"{label}: money in {cur} (rows {_rows(frame.index, mask)}) but the client's "
                "currency is "
                f"{cfg.currency} and client.yaml has no rate: add `rates: {{{cur}: <{cfg.currency} "
                "per "
                f"1 {cur}>}}` (one rate, or one per month YYYY-MM)"
            )
            continue
        factor = _rate_per_row(frame, table, cur, rate, mask, label, errors)
        if factor is not None:
            for c in numeric:
                out.loc[mask, c] = out.loc[mask, c] * factor
            info["converted"][cur] = int(mask.sum())
    basis = cfg.amounts_include_vat
    if src.vat_included is None and preset is not None and preset.needs_vat:
        errors.append(
            f"{label}: {preset.platform.split(' (')[0]} reports money with or without VAT "
            "depending on the report's "
            f"settings; say which for this source in client.yaml: `vat_included: true` or "
            f"`vat_included: false`"
        )
        return out, errors, info
    vat = (
        src.vat_included
        if src.vat_included is not None
        else (
            preset.vat_default if preset is not None and preset.vat_default is not None else basis
        )
    )
    info["vat_included"] = vat
    factor = 1.0
    if vat != basis:
        if cfg.vat_rate is None:
            errors.append(
                f"{label}: this source's money {'includes' if vat else 'excludes'} VAT but the "
                "review's "
                f"{'includes' if basis else 'excludes'} it; set `vat_rate:` (e.g. 0.2) in "
                "client.yaml"
            )
            return out, errors, info
        factor = 1 / (1 + cfg.vat_rate) if vat else 1 + cfg.vat_rate
        for c in numeric:
            out[c] = out[c] * factor
    info["vat_factor"] = factor
    return out, errors, info
