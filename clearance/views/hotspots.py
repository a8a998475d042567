"""Hotspot early warning: the ranked list of cases at risk, with each case's reasons, and the
risk-factor weights."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hotspots", __name__)
