"""Structural gravity specs in YAML: what to estimate, validated with located errors.

A spec names the trade data (CSV with one row per exporter, importer and year), its
columns, the sample years, the fixed effects, the regressors (data columns or derived:
log of a column, the international-border dummy, border dummies by year, lags and leads)
and the clustering of standard errors. Errors are reported as ``file:line:field: message``
(:class:`~shoring.errors.ShoringInputError`, CLI exit code 2).

Example (the PPML column of Yotov et al. 2016, Table 1)::

    title: Traditional gravity, PPML
    data: yotov2016_agtpa_applications.csv
    sample: {years: {first: 1986, last: 2006, every: 4}, international_only: true}
    fixed_effects: [exporter_year, importer_year]
    regressors:
      - {name: log_dist, log: dist}
      - cntg
    cluster: pair
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from shoring import safeyaml
from shoring.errors import Problem, ShoringInputError
from shoring.scenario.loader import locate, validation_problems

FixedEffect = Literal[
    "exporter_year",
    "importer_year",
    "pair",
    "pair_intl",
    "exporter",
    "importer",
    "year",
    "intra_national",
]
"""Fixed effects a spec may name. ``pair`` gives every country pair (both directions, as
the data's pair column says) and every country's domestic flow its own effect (Yotov et
al. 2016, ch. 1, eq. 1-36); ``pair_intl`` gives every international pair its own effect and
all domestic flows one common effect (the book's ch. 2, application 2);
``intra_national`` gives each country's domestic flow its own effect and all international
flows one common effect (eq. 1-35 with intra-national trade)."""

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# Numbers and switches of a spec are strict: ``sigma: "7"`` (a quoted string) is refused
# with its line, never read as 7.
Int = StrictInt
Float = StrictFloat
Bool = StrictBool
M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Model):
    """Column names of the trade CSV (defaults: the book's data set)."""

    exporter: str = "exporter"
    importer: str = "importer"
    year: str = "year"
    trade: str = "trade"
    pair: str = "pair_id"


class Years(_Model):
    """Every ``every``-th year from ``first`` to ``last`` (inclusive)."""

    first: Int
    last: Int
    every: Int = Field(1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) is before first ({self.first})")
        return self

    def listed(self) -> tuple[int, ...]:
        """The years, ascending."""
        return tuple(range(self.first, self.last + 1, self.every))


class Sample(_Model):
    """Which rows enter the estimation."""

    years: Years | tuple[Int, ...] | None = None
    international_only: Bool = False
    positive_trade_only: Bool = False

    def year_list(self) -> tuple[int, ...] | None:
        """The sample years, or None for every year in the data."""
        if isinstance(self.years, Years):
            return self.years.listed()
        return tuple(sorted(set(self.years))) if self.years is not None else None


class Regressor(_Model):
    """One right-hand-side variable.

    Exactly one way of building it: ``column`` (a data column, the default is the name),
    ``log`` (natural log of a column; every value must be positive), ``international_border``
    (1 when exporter differs from importer), ``border_by_year`` (one dummy per listed year:
    international flow in that year; the years left out are the reference), ``lag`` with
    ``years`` (the value of a column ``years`` years earlier for the same pair; a lead when
    ``years`` is negative).
    """

    name: Annotated[str, Field(pattern=_NAME)] | None = None
    column: str | None = None
    log: str | None = None
    international_border: Bool = False
    border_by_year: tuple[Int, ...] | None = None
    lag: str | None = None
    years: Int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_way(self) -> Regressor:
        ways = [
            self.column is not None,
            self.log is not None,
            self.international_border,
            self.border_by_year is not None,
            self.lag is not None,
        ]
        if sum(ways) > 1:
            raise ValueError("give one of column, log, international_border, border_by_year, lag")
        if (self.lag is None) != (self.years is None):
            raise ValueError("lag and years go together (years < 0 for a lead)")
        if self.years == 0:
            raise ValueError("years must not be 0 (positive: lag, negative: lead)")
        if self.border_by_year is None and self.name is None:
            raise ValueError("name is required")
        if self.border_by_year is not None and not self.border_by_year:
            raise ValueError("border_by_year lists at least one year")
        return self

    def names(self) -> tuple[str, ...]:
        """Names of the variables this regressor adds (several for ``border_by_year``)."""
        if self.border_by_year is not None:
            stem = self.name or "intl_brdr"
            return tuple(f"{stem}_{y}" for y in self.border_by_year)
        assert self.name is not None
        return (self.name,)


class SmallSample(_Model):
    """Small-sample corrections of clustered errors (pyfixest ``ssc``).

    ``k_adj``: multiply by (n-1)/(n-k); ``g_adj``: multiply by G/(G-1). The book's
    replication in R (fixest) matches ``k_adj: false``.
    """

    k_adj: Bool = True
    g_adj: Bool = True


class LinearSum(_Model):
    """A sum of coefficients reported with its delta-method error (e.g. total RTA effect)."""

    name: Annotated[str, Field(pattern=_NAME)]
    terms: tuple[str, ...] = Field(min_length=2)


class GravitySpec(_Model):
    """A structural gravity estimation (PPML with high-dimensional fixed effects).

    Attributes
    ----------
    title, description : str
        What the spec reproduces (shown in reports).
    data : str, optional
        Trade CSV; a relative path is read from the spec's folder. ``--data`` overrides it.
    columns : Columns
        Names of the identifying columns and of the trade flow (any currency unit).
    sample : Sample
        Years, international flows only, positive flows only.
    fixed_effects : tuple of FixedEffect
        Absorbed effects.
    regressors : tuple of Regressor
        Right-hand side, in order.
    cluster : {"pair", "exporter", "importer"}, optional
        Clusters of the standard errors; None for heteroskedasticity-robust errors.
    small_sample : SmallSample
        Corrections of clustered errors.
    sums : tuple of LinearSum
        Coefficient sums to report.
    """

    title: str = ""
    description: str = ""
    estimator: Literal["ppml"] = "ppml"
    data: str | None = None
    columns: Columns = Columns()
    sample: Sample = Sample()
    fixed_effects: tuple[FixedEffect, ...] = ()
    regressors: tuple[Regressor, ...] = Field(min_length=1)
    cluster: Literal["pair", "exporter", "importer"] | None = "pair"
    small_sample: SmallSample = SmallSample()
    sums: tuple[LinearSum, ...] = ()

    @field_validator("fixed_effects")
    @classmethod
    def _unique_effects(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a fixed effect is listed twice")
        return value

    @model_validator(mode="after")
    def _names(self) -> GravitySpec:
        names = [n for r in self.regressors for n in r.names()]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"regressor names used twice: {', '.join(twice)}")
        for s in self.sums:
            unknown = [t for t in s.terms if t not in names]
            if unknown:
                raise ValueError(f"sum {s.name}: unknown terms {', '.join(unknown)}")
        return self

    def regressor_names(self) -> tuple[str, ...]:
        """Every right-hand-side variable name, in order."""
        return tuple(n for r in self.regressors for n in r.names())


def parse_spec(model: type[M], text: str, file: str) -> M:
    """Validate YAML text against a spec model, every problem located by line and field.

    Parameters
    ----------
    model : type of pydantic.BaseModel
        :class:`GravitySpec` or the counterfactual spec.
    text : str
        The YAML document.
    file : str
        Name used in messages.

    Returns
    -------
    pydantic.BaseModel
        The validated spec.

    Raises
    ------
    ShoringInputError
        One problem per error, ``file:line:field: message``.
    """
    root, data = safeyaml.load(text, file)
    if not isinstance(data, dict):
        raise ShoringInputError([Problem(file, "a spec file must be a mapping", row=1)])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ShoringInputError(validation_problems(exc, root, file)) from None


def spec_problem(spec_file: str | Path, loc: tuple[str | int, ...], message: str) -> Problem:
    """A problem located at a field of a spec file, ``file:line:field: message``.

    Parameters
    ----------
    spec_file : str or Path
        The spec (read again to find the line; without a readable file the problem
        names the field only).
    loc : tuple of str or int
        Path of the field, e.g. ``("estimation", "regressors", 2)``.
    message : str
        What is wrong.
    """
    try:
        root, _ = safeyaml.load(safeyaml.read_text(spec_file, str(spec_file)), str(spec_file))
    except (ShoringInputError, OSError):
        return Problem(str(spec_file), message, field=".".join(map(str, loc)) or None)
    line, field = locate(root, loc)
    return Problem(str(spec_file), message, row=line, field=field or None)


def load_spec(model: type[M], path: str | Path) -> M:
    """Read and validate a spec file (see :func:`parse_spec`)."""
    return parse_spec(model, safeyaml.read_text(path, str(path)), str(path))


def data_path(
    spec_data: str | None,
    spec_file: str | Path,
    override: str | Path | None,
    flag: str = "--data",
) -> Path:
    """The trade CSV to read: ``override`` if given, else the spec's.

    A relative ``data:`` is looked up beside the spec, then in the ``trade`` folder of the
    shared reference data (:func:`shoring.data.paths.shared_data_dir`: ``$SHORING_SHARED_DATA``,
    else ``../shared/data``), where the shipped examples' data sets live.

    Parameters
    ----------
    spec_data : str or None
        The spec's ``data:``.
    spec_file : str or Path
        The spec (relative paths are read from its folder).
    override : str or Path, optional
        A trade CSV given on the command line (or by the caller).
    flag : str
        The command-line option that gives ``override``, named in errors.

    Raises
    ------
    ShoringInputError
        When neither names a file, or the file does not exist.
    """
    from shoring.data.paths import SHARED_DATA_ENV, shared_data_dir

    if override is not None:
        path = Path(override)
        if not path.is_file():
            raise ShoringInputError([Problem(str(path), f"file not found (given with {flag})")])
        return path
    if spec_data is None:
        message = f"no data file: give data: in the spec or {flag} on the command line"
        raise ShoringInputError([spec_problem(spec_file, ("data",), message)])
    path = Path(spec_data)
    if path.is_absolute():
        candidates = [path]
    else:
        shared = shared_data_dir()
        candidates = [Path(spec_file).parent / path]
        candidates += [] if shared is None else [shared / "trade" / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    where = " or ".join(str(c) for c in candidates)
    shared_hint = (
        "" if path.is_absolute() else f" (shared data: ${SHARED_DATA_ENV} or ../shared/data)"
    )
    message = (
        f"data file {spec_data} not found in {where}{shared_hint}: pass the trade CSV with {flag}"
    )
    raise ShoringInputError([spec_problem(spec_file, ("data",), message)])
