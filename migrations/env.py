"""Alembic environment: one set of migrations for SpatiaLite and PostGIS (see STACK-NOTES)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db

#: Tables SpatiaLite 5 and PostGIS create for themselves; never ours to migrate.
SPATIAL_SYSTEM_TABLES = {
    "ElementaryGeometries", "KNN", "KNN2", "SpatialIndex", "data_licenses", "sql_statements_log",
    "spatial_ref_sys_aux", "geometry_columns_auth", "geometry_columns_field_infos",
    "geometry_columns_statistics", "geometry_columns_time", "spatialite_history",
    "views_geometry_columns_auth", "views_geometry_columns_field_infos",
    "views_geometry_columns_statistics", "virts_geometry_columns_auth",
    "virts_geometry_columns_field_infos", "virts_geometry_columns_statistics",
    "spatial_ref_sys", "geometry_columns", "views_geometry_columns", "virts_geometry_columns",
    "SE_external_graphics", "SE_fonts", "SE_raster_styled_layers", "SE_vector_styled_layers",
    "rl2map_configurations", "topologies", "networks", "raster_coverages", "vector_coverages",
    "wms_getcapabilities", "stored_procedures", "stored_variables", "iso_metadata",
}


def include_object(obj, name, obj_type, reflected, compare_to):
    if obj_type == "table" and (name in SPATIAL_SYSTEM_TABLES or name.startswith(("idx_", "vector_coverages", "raster_coverages", "SE_", "ISO_", "wms_", "rl2"))):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def run_migrations_offline():
    context.configure(
        url=str(target_db.engine.url), target_metadata=target_db.metadata, literal_binds=True,
        include_object=include_object, render_item=alembic_helpers.render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")
                return
        alembic_helpers.writer(context_, revision, directives)

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args["process_revision_directives"] = process_revision_directives
    conf_args.setdefault("render_as_batch", True)

    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            include_object=include_object,
            render_item=alembic_helpers.render_item,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
