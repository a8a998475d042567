# Two commands: `make run` (set up, migrate, load the demo, serve) and `make test` (set up, run the
# whole suite on SpatiaLite and on PostGIS). Both install what is missing first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# What serving the app needs, and what the tests need on top (a PostGIS server, a browser, GDAL).
RUN_PACKAGES := python3 python3-venv python3-dev libsqlite3-mod-spatialite fonts-liberation2 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := postgresql postgresql-postgis chromium gdal-bin poppler-utils

.PHONY: run test system test-system venv translations i18n-update db demo lint clean

run: system venv translations db demo
	@echo
	@echo "  GPMB đang chạy tại http://$(HOST):$(PORT)"
	@echo "  Đăng nhập demo: truongnhom / $${DEMO_PASSWORD:-demo-gpmb-2026}  (trưởng nhóm, phường Hai Bà Trưng)"
	@echo "                  canbo / $${DEMO_PASSWORD:-demo-gpmb-2026}       (cán bộ, phường Hai Bà Trưng)"
	@echo "                  canbo_cuanam / $${DEMO_PASSWORD:-demo-gpmb-2026} (cán bộ, phường Cửa Nam)"
	@echo "                  xem / $${DEMO_PASSWORD:-demo-gpmb-2026}         (chỉ xem)"
	@echo "                  admin / $${DEMO_PASSWORD:-demo-gpmb-2026}       (quản trị)"
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: system test-system venv translations
	bash scripts/test.sh

system:
	@bash scripts/system-packages.sh $(RUN_PACKAGES)

test-system:
	@bash scripts/system-packages.sh $(TEST_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	@bash scripts/make-venv.sh $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

translations: venv
	$(VENV)/bin/pybabel compile -d translations

# For maintainers: collect the Vietnamese source strings and merge them into the English catalogue.
i18n-update: venv
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l en

db: venv
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache
