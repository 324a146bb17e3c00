"""One importer per kind of file: each reads and checks every row, and writes only when nothing is wrong."""
