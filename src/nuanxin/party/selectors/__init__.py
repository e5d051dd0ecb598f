"""Reads of the party app. Staff reads take the caller and answer only inside their reach."""

from nuanxin.party.selectors.dashboard import figures_by_region, first_mobile_branch
from nuanxin.party.selectors.industry import industry_series

__all__ = ["figures_by_region", "first_mobile_branch", "industry_series"]
