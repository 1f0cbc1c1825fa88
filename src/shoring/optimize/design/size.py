"""How big a network-design model will be, told before it is built.

:func:`estimate_size` counts the variables, constraints and nonzeros the builder would
create from the dimensions alone (lanes, links and offers are counted, not built) and
turns them into memory with factors measured on this project's scale ladder
(benchmarks/network_design.py). :func:`check_size` refuses a model that would not fit,
naming the options that shrink it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from shoring.errors import ShoringError

__all__ = [
    "BYTES_PER_NONZERO",
    "ModelSize",
    "ModelTooLargeError",
    "check_size",
    "estimate_size",
    "memory_budget",
]

BYTES_PER_NONZERO = 1_300
"""Peak resident memory per nonzero of the constraint matrix, building and solving
(linopy arrays, the HiGHS copy, presolve and the MIP's LP copies and cut pool).
Measured on the large rung of benchmarks/network_design.py: 8.83 million nonzeros
(3.95 million variables, 802,000 rows) and an 11.4 GB peak once HiGHS reached branch
and bound (2026); a run stopped in presolve peaked at 5.8 GB."""

SHRINK_OPTIONS = (
    "--max-sites-per-market K (keep the K cheapest sites per product and market, and the "
    "K cheapest sources per component and using site)",
    "fewer periods (--years)",
    "fewer scenarios (-s)",
    "a smaller network (fewer candidate sites or markets)",
)


class ModelTooLargeError(ShoringError):
    """The model would need more memory than the machine has; nothing was built.

    The message gives the estimate and the options that shrink the model; the CLI
    exits with code 2 (the input asks for more than the machine can do).
    """


@dataclass(frozen=True)
class ModelSize:
    """Counts of a network-design model and the memory they need.

    Attributes
    ----------
    variables, constraints, nonzeros : int
        Upper bounds (rows a rule would skip are counted).
    memory_bytes : int
        Estimated peak resident memory of building and solving it.
    lanes, links, offers : int
        Sparse flow entities (per scenario and period each gives one variable).
    """

    variables: int
    constraints: int
    nonzeros: int
    memory_bytes: int
    lanes: int
    links: int
    offers: int

    def describe(self) -> str:
        """One line: counts and memory in GB.

        Returns
        -------
        str
            E.g. ``"3,950,000 variables, 801,000 constraints, 11,000,000 nonzeros, about
            11.0 GB (lanes 350,000, transfer links 0, supplier offers 0)"``.
        """
        return (
            f"{self.variables:,} variables, {self.constraints:,} constraints, "
            f"{self.nonzeros:,} nonzeros, about {self.memory_bytes / 1e9:.1f} GB "
            f"(lanes {self.lanes:,}, transfer links {self.links:,}, supplier offers "
            f"{self.offers:,})"
        )


def estimate_size(
    *,
    products: int,
    sites: int,
    markets: int,
    periods: int,
    scenarios: int,
    lanes: int,
    links: int,
    offers: int,
    makes: int,
    bom_lines: int = 0,
    lane_links: bool = True,
) -> ModelSize:
    """Variables, constraints, nonzeros and peak memory of a model of this size.

    Parameters
    ----------
    products, sites, markets, periods, scenarios : int
        Dimension sizes.
    lanes, links, offers : int
        Site-to-market lanes, own-component transfer links, supplier-to-site offers.
    makes : int
        (product, site) pairs where the site can make the product.
    bom_lines : int
        Nonzeros of the bill of materials.
    lane_links : bool
        Whether ``Lane-open-max`` (one row per lane) is added.

    Returns
    -------
    ModelSize
    """
    wt = periods * scenarios
    flows = (makes + lanes + links + offers + products * markets) * wt
    first = 3 * sites * periods
    variables = flows + first
    # rows: demand, production balance, component balance, site capacity, lane links
    rows = (products * markets + makes + sites) * wt + 2 * sites * periods
    rows += lanes * wt if lane_links else 0
    rows += min(products, bom_lines) * sites * wt
    # nonzeros: each flow appears in about two balance rows, links add two, costs one
    nonzeros = 2 * flows + (2 * lanes * wt if lane_links else 0) + bom_lines * sites * wt
    nonzeros += 3 * first
    return ModelSize(
        variables=int(variables),
        constraints=int(rows),
        nonzeros=int(nonzeros),
        memory_bytes=int(nonzeros * BYTES_PER_NONZERO),
        lanes=int(lanes),
        links=int(links),
        offers=int(offers),
    )


def memory_budget() -> int:
    """Bytes a model may use: 75 % of the machine's physical memory.

    ``SHORING_MAX_MEMORY_GB`` overrides it (e.g. ``8`` to keep a run under 8 GB).

    Returns
    -------
    int
        Bytes.
    """
    override = os.environ.get("SHORING_MAX_MEMORY_GB")
    if override:
        try:
            return int(float(override) * 1e9)
        except ValueError:
            raise ShoringError(
                f"SHORING_MAX_MEMORY_GB must be a number of GB, got {override!r}"
            ) from None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        total = 16 * 10**9
    return int(0.75 * total)


def check_size(size: ModelSize, budget: int | None = None) -> None:
    """Refuse a model whose estimated memory exceeds ``budget``, before it is built.

    Parameters
    ----------
    size : ModelSize
        From :func:`estimate_size`.
    budget : int, optional
        Bytes (default :func:`memory_budget`).

    Raises
    ------
    ModelTooLargeError
        With the estimate and the options that shrink the model.
    """
    budget = memory_budget() if budget is None else budget
    if size.memory_bytes <= budget:
        return
    raise ModelTooLargeError(
        f"the network-design model would need {size.describe()}, more than the "
        f"{budget / 1e9:.1f} GB this machine allows (75% of its memory; set "
        "SHORING_MAX_MEMORY_GB to change it); nothing was built. Shrink it with: "
        + "; ".join(SHRINK_OPTIONS)
    )
