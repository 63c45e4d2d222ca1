from gipcheck.cli import run

run()
