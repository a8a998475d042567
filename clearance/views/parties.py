"""Households and organisations (hộ gia đình, tổ chức): list, detail, create and edit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.forms.records import PartyForm
from clearance.models import Case, Party
from clearance.services.errors import FieldError
from clearance.services.history import record_history
from clearance.services.records import save_party
from clearance.services.scope import (
    parties_query,
    party_or_404,
    require_editor,
    units_for,
    visible_project_ids,
    visible_unit_ids,
)
from clearance.views.common import form_values, like, page_args, safe_next, search_term, show_field_error
from clearance.workflow.statuses import PartyKind, choices

bp = Blueprint("parties", __name__, url_prefix="/households")

VULNERABILITY_FILTERS = {
    "poor": Party.is_poor,
    "policy": Party.is_policy_family,
    "elderly": Party.is_elderly_alone,
    "disabled": Party.has_disabled_member,
}


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    query = parties_query(current_user).options(selectinload(Party.cases).selectinload(Case.project))
    term = search_term()
    kind = request.args.get("kind", "")
    flag = request.args.get("flag", "")
    if term:
        pattern = like(term)
        query = query.where(
            sa.or_(Party.name.ilike(pattern, escape="\\"), Party.id_number == term, Party.phone.ilike(pattern, escape="\\"),
                   Party.address.ilike(pattern, escape="\\"))
        )
    if kind in PartyKind.__members__.values():
        query = query.where(Party.kind == kind)
    if flag in VULNERABILITY_FILTERS:
        query = query.where(VULNERABILITY_FILTERS[flag].is_(True))
    page, per_page = page_args()
    pagination = db.paginate(query.order_by(Party.name, Party.id), page=page, per_page=per_page, error_out=False)
    return render_template(
        "parties/index.html", pagination=pagination, term=term, kind=kind, flag=flag, kinds=choices(PartyKind),
        visible_projects=visible_project_ids(current_user),
    )


@bp.route("/<int(max=2147483647):party_id>")
def detail(party_id: int):  # type: ignore[no-untyped-def]
    party = party_or_404(current_user, party_id)
    return render_template(
        "parties/detail.html", party=party, history=record_history("party", party.id),
        visible_projects=visible_project_ids(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int(max=2147483647):party_id>/edit", methods=["GET", "POST"])
def edit(party_id: int | None = None):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    party = party_or_404(current_user, party_id) if party_id is not None else None
    form = PartyForm(obj=party)
    form.kind.choices = choices(PartyKind)
    form.unit_id.choices = [(u.id, u.name) for u in units_for(current_user, keep=[party.unit] if party else [])]
    if form.validate_on_submit():
        try:
            saved = save_party(party, form_values(form), visible_unit_ids(current_user))
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu hồ sơ hộ %(name)s.", name=saved.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for(".detail", party_id=saved.id)))
    return render_template("parties/form.html", party=party, form=form), 200 if not form.errors else 422
