#!/usr/bin/env bash
# Create the virtual environment from a Python whose sqlite3 can load extensions (SpatiaLite).
# The pyenv python3 first on PATH here cannot; Debian's /usr/bin/python3 can.
set -euo pipefail
venv=${1:-.venv}
can_load() { "$1" -c 'import sqlite3,sys; sys.exit(0 if hasattr(sqlite3.Connection,"enable_load_extension") else 1)' 2>/dev/null; }
if [ -x "$venv/bin/python" ] && can_load "$venv/bin/python"; then exit 0; fi
for candidate in "${PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null && can_load "$candidate"; then
    echo "Tạo môi trường ảo từ $candidate"
    rm -rf "$venv"
    "$candidate" -m venv "$venv"
    exit 0
  fi
done
echo "Không tìm thấy Python nào nạp được phần mở rộng SQLite (SpatiaLite)." >&2
echo "Cài Python của Debian: apt-get install python3 python3-venv, hoặc đặt PYTHON=/đường/dẫn/python3." >&2
exit 1
