# `flask …` in this folder loads the app factory (not wsgi.py, which would start the export worker).
FLASK_APP=app:create_app
