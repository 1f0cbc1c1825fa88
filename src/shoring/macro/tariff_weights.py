"""Trade weights of HS6 codes in a tariff shock (instead of equal weights).

A tariff shock averages a scenario's additional duties over HS6 codes; with a weights file
each pair's average is weighted by trade values, ``t_ij = sum_h w_ijh t_ijh / sum_h w_ijh``
(the trade-weighted average tariff, e.g. WTO/ITC/UNCTAD World Tariff Profiles; weights of
a pre-shock year, so that the duties do not shrink their own weights). The values and
their source are the user's: the spec names the source (e.g. UN Comtrade, BACI), the
package ships none.

File layout (UTF-8 CSV): ``hs6,value`` and optionally ``importer,exporter`` (ISO3).
Rows with an importer and an exporter weight that pair; rows with both empty weight every
other pair (no such row: those pairs keep equal weights). An HS6 code of the spec without
a row for the pair has weight 0. Rows of countries outside the GE data are not used.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.data.csvio import read_csv_checked
from shoring.errors import Problem, ShoringInputError

LAYOUT = "tariff weights (hs6,value[,importer,exporter])"
ISO3 = re.compile(r"^[A-Z]{3}$")


def _checked(frame: pd.DataFrame, file: str, hs6: tuple[str, ...]) -> pd.DataFrame:
    """Rows as ``importer, exporter`` ('' for every other pair), ``hs6``, ``value``."""
    problems = []
    known = set(hs6)
    values = pd.to_numeric(frame["value"], errors="coerce")
    for k, row in enumerate(frame.itertuples(index=False)):
        line = k + 2  # the header is line 1
        if row.hs6 not in known:
            message = f"HS6 code {row.hs6!r} is not among the shock's hs6 codes"
            problems.append(Problem(file, message, row=line, field="hs6"))
        if not (np.isfinite(values.iat[k]) and values.iat[k] >= 0):
            message = f"not a finite number >= 0: {row.value!r}"
            problems.append(Problem(file, message, row=line, field="value"))
        pair = (row.importer, row.exporter)
        if (pair[0] == "") != (pair[1] == ""):
            message = "give both importer and exporter, or neither (every other pair)"
            problems.append(Problem(file, message, row=line, field="importer"))
        for name, code in zip(("importer", "exporter"), pair, strict=True):
            if code and not ISO3.match(code):
                message = f"not an ISO3 code: {code!r}"
                problems.append(Problem(file, message, row=line, field=name))
    twice = frame.duplicated(["importer", "exporter", "hs6"], keep="first")
    for k in np.flatnonzero(twice.to_numpy()):
        row = frame.iloc[k]
        message = f"{row['hs6']} given twice for this pair"
        problems.append(Problem(file, message, row=int(k) + 2, field="hs6"))
    if problems:
        raise ShoringInputError(problems)
    return frame.assign(value=values)


def read_weights(path: str | Path, hs6: tuple[str, ...], countries: tuple[str, ...]) -> np.ndarray:
    """Trade weights of each pair's HS6 codes, shape (N, N, H).

    Parameters
    ----------
    path : str or Path
        The weights CSV (layout in the module docstring).
    hs6 : tuple of str
        The shock's HS6 codes (H), in order.
    countries : tuple of str
        ISO3 codes of the GE (N).

    Returns
    -------
    numpy.ndarray, shape (N, N, H)
        ``w[i, j, h]`` for exporter i, importer j (the data's value unit).

    Raises
    ------
    ShoringInputError
        A bad cell (``file:row:field: message``), an HS6 code outside the shock's, a row
        given twice, or an international pair whose weights sum to 0.
    """
    file = str(path)
    frame = read_csv_checked(path, ["hs6", "value"], LAYOUT, dtype=str, keep_default_na=False)
    for column in ("importer", "exporter"):
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.apply(lambda col: col.str.strip())
    frame = _checked(frame, file, hs6)
    n, h = len(countries), len(hs6)
    column = {code: k for k, code in enumerate(hs6)}
    index = {code: k for k, code in enumerate(countries)}
    every = frame[frame["importer"] == ""]
    default = np.ones(h)
    if not every.empty:
        default = np.zeros(h)
        default[every["hs6"].map(column).to_numpy()] = every["value"].to_numpy()
    weights = np.broadcast_to(default, (n, n, h)).copy()
    own = frame[frame["importer"].isin(index) & frame["exporter"].isin(index)]
    exp = own["exporter"].map(index).to_numpy()
    imp = own["importer"].map(index).to_numpy()
    weights[exp, imp, :] = 0.0  # a pair with rows of its own: only those
    np.add.at(weights, (exp, imp, own["hs6"].map(column).to_numpy()), own["value"].to_numpy())
    total = weights.sum(axis=2)
    np.fill_diagonal(total, 1.0)
    if np.any(total <= 0):
        i, j = (int(a[0]) for a in np.nonzero(total <= 0))
        message = f"the weights of {countries[i]} -> {countries[j]} sum to 0 over the shock's hs6"
        raise ShoringInputError([Problem(file, message, field="value")])
    return weights
