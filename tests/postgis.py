"""The throwaway PostGIS database shared by the test suite and the benchmarks."""

from __future__ import annotations

import sqlalchemy as sa


def reset_postgis(url: str) -> None:
    """An empty public schema with PostGIS: everything in the database ``url`` names is dropped.
    Only for the throwaway databases of ``make test`` and ``benchmarks/``."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    engine.dispose()
