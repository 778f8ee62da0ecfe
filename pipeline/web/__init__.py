"""hoso web: the local page for clerks (Flask, served by waitress on 127.0.0.1)."""
