"""Pure spatial code: shapely, pyproj, pyogrio. Never Flask, SQLAlchemy or clearance."""
