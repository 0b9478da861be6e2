"""Exit 0 when the PostgreSQL URL given as argv[1] accepts a connection within 3 seconds."""
import sys

from sqlalchemy import create_engine, text

try:
    engine = create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
    with engine.connect() as connection:
        connection.execute(text("select 1"))
except Exception as error:  # any failure means "not reachable" for the Makefile
    print(f"   ({type(error).__name__})", file=sys.stderr)
    sys.exit(1)
